#include "server/log_words.h"

#include <gtest/gtest.h>

#include <string_view>

namespace callgate::server {
namespace {

struct WordCase {
  std::string_view input;
  bool shown;
};

TEST(LogWordsTest, AnAttributeNameIsShownOnlyWhenItIsAUrnOfProtocolWords) {
  const WordCase cases[] = {
      // What UCM and XACML send.
      {"urn:Cisco:uc:1.0:callingnumber", true},
      {"urn:Cisco:uc:1.0:transformedcgpn", true},
      {"urn:oasis:names:tc:xacml:1.0:resource:resource-id", true},
      {"urn:oasis:names:tc:xacml:2.0:action:action_id", true},
      {"urn:a:1.2.3.4", true},  // four digits in all: still a name
      // A client's text in their place.
      {"urn:+33 1 23 45 67 89", false},
      {"urn:Cisco:uc:1.0:callingnumber:14-08-55-59-87-6", false},
      {"urn:zelda.quux@example.com", false},
      {"urn:Zelda Quux", false},
      {"urn:x:15555550122", false},
      {"urn:a:1.2.3.4.5", false},  // five digits
      {"urn:1:2:3:4:5", false},
      {"urn:Jos\xc3\xa9", false},  // not ASCII
      {"urn:a;b", false},
      // Not a URN of segments.
      {"+15555550122", false},
      {"Cisco:uc:1.0:callingnumber", false},
      {"URN:Cisco:uc:1.0:callingnumber", false},
      {"urn:", false},
      {"urn::a", false},
      {"urn:a::b", false},
      {"urn:a:", false},
      {"", false},
  };
  for (const WordCase& c : cases) {
    EXPECT_EQ(IsAttributeNameForLog(c.input), c.shown) << c.input;
  }
}

TEST(LogWordsTest, ATriggerPointIsShownOnlyWhenItIsOneUcmSends) {
  const WordCase cases[] = {
      {"translationpattern", true},   {"directorynumber", true},
      {"routepattern", true},  // not observed: what route patterns would send
      {"TranslationPattern", true},   {"DIRECTORYNUMBER", true},
      {"ZeldaQuux", false},           {"x", false},
      {"translationpatterns", false}, {"translation pattern", false},
      {"trig+15105550133", false},    {"", false},
  };
  for (const WordCase& c : cases) {
    EXPECT_EQ(IsTriggerPointForLog(c.input), c.shown) << c.input;
  }
}

}  // namespace
}  // namespace callgate::server
