#!/usr/bin/env python3
"""Regenerates the CURRI golden responses the way the Python ucm_name_lookup service builds them.

The C++ renderer is compared byte for byte with these files, so they are produced here by an
independent implementation of the Python code path (xml.sax.saxutils), not by callgate itself.
Run from anywhere: python3 tests/data/golden/make_golden.py
"""
import os
from xml.sax.saxutils import escape

HEAD = ('<?xml encoding="UTF-8" version="1.0"?><Response><Result><Decision>Permit</Decision>'
        '<Status></Status><Obligations><Obligation FulfillOn="Permit" '
        'ObligationId="urn:cisco:xacml:policy-attribute"><AttributeAssignment '
        'AttributeId="Policy:simplecontinue"><AttributeValue '
        'DataType="http://www.w3.org/2001/XMLSchema#string">')
TAIL = '</AttributeValue></AttributeAssignment></Obligation></Obligations></Result></Response>'


def response(name):
    if name:
        safe_name = escape(name, {'"': "&quot;", "'": "&apos;"})
        cixml = '<cixml ver="1.0"><continue><modify callingname="' + safe_name + '"/></continue></cixml>'
    else:
        cixml = '<cixml ver="1.0"><continue></continue></cixml>'
    return HEAD + escape(cixml) + TAIL


CASES = {
    "curri_found.xml": "Ada Lovelace",
    "curri_not_found.xml": None,
    "curri_escaping.xml": "Tom & Jerry's <Deli>",
    "curri_quotes.xml": 'Smith & Sons "Sales"',
    "curri_non_ascii.xml": "Jöhn Smith & Co — 山田太郎 😀",
}

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for file_name, name in CASES.items():
        with open(os.path.join(here, file_name), "wb") as out:
            out.write(response(name).encode("utf-8"))  # no trailing newline, like the service
