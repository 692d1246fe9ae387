#!/usr/bin/env python3
"""Writes a large, realistic phone directory CSV for load benchmarks.

Exact rows are distinct North American numbers (+1 and ten digits, drawn without repetition by an
affine bijection of the row index), with names from small lists of first and last names; about
1% of names are written "Last, First" and so quoted. Prefix rows cover area codes (+1NPA) and
then area code + exchange (+1NPANXX). The output is deterministic for a given --seed.

    python3 bench/gen_directory.py --rows 10000000 --prefixes 100000 > /tmp/directory_10m.csv
"""

import argparse
import random
import sys

FIRST = ("Ada Alan Grace Alice Bob Carol Dave Erin Frank Heidi Ivan Judy Mallory Niaj Olivia "
         "Peggy Rupert Sybil Trent Victor Walter Yusuf Zoe Amelie Bjorn Chloe Dmitri Elena "
         "Farid Gabriela Hiroshi Ines Jorge Kaito Lena Mateo Nadia Oskar Priya Quentin").split()
LAST = ("Lovelace Turing Hopper Johnson Smith Garcia Nguyen Kowalski Muller Rossi Silva Tanaka "
        "Okafor Haddad Novak Jensen Larsen Dubois Moreau Schmidt Fischer Weber Becker Hoffmann "
        "Kim Park Chen Wang Singh Patel Khan Ali Costa Santos Ferreira Lopez Martin Bernard").split()

NUMBER_BASE = 2_000_000_000  # ten-digit numbers from 2000000000: the area code never starts with 0/1
NUMBER_RANGE = 8_000_000_000
STRIDE = 2_654_435_761  # odd and not a multiple of 5, so coprime with NUMBER_RANGE: a bijection


def exact_number(index, offset):
    return "+1%010d" % (NUMBER_BASE + (index * STRIDE + offset) % NUMBER_RANGE)


def name(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.01:
        return '"%s, %s"' % (last, first)
    return "%s %s" % (first, last)


def prefixes(count, rng):
    area_codes = ["+1%d" % npa for npa in range(200, 1000)]
    chosen = area_codes[:count]
    seen = set()
    while len(chosen) < count:
        exchange = "+1%d%03d" % (rng.randrange(200, 1000), rng.randrange(200, 1000))
        if exchange not in seen:
            seen.add(exchange)
            chosen.append(exchange)
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="total data rows")
    parser.add_argument("--prefixes", type=int, default=100_000, help="how many rows are prefixes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-match-type", action="store_true",
                        help="omit the match_type column (all rows exact)")
    args = parser.parse_args()
    if args.prefixes > 800 + 800 * 800:
        parser.error("--prefixes: at most 640800 (area codes and exchanges)")
    rng = random.Random(args.seed)
    offset = rng.randrange(NUMBER_RANGE)
    out = sys.stdout
    with_type = not args.no_match_type
    out.write("phone_number,display_name,match_type\n" if with_type else
              "phone_number,display_name\n")
    prefix_rows = [] if not with_type else prefixes(min(args.prefixes, args.rows), rng)
    for prefix in prefix_rows:
        out.write("%s,Region %s,prefix\n" % (prefix, prefix[2:]))
    suffix = ",exact\n" if with_type else "\n"
    chunk = []
    for index in range(args.rows - len(prefix_rows)):
        chunk.append(exact_number(index, offset) + "," + name(rng) + suffix)
        if len(chunk) == 65536:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


if __name__ == "__main__":
    main()
