// The trust decision behind the access log's client address: X-Forwarded-For counts only from a
// configured proxy, and only when every entry read is an address.
#include "client_address.hpp"

#include <gtest/gtest.h>

namespace kkr::api {
namespace {

IpAddress ip(std::string_view text) {
  auto parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(IpAddress{});
}

TrustedProxies trusting(std::string_view list) {
  auto parsed = TrustedProxies::parse(list);
  EXPECT_TRUE(std::holds_alternative<TrustedProxies>(parsed)) << list;
  return std::holds_alternative<TrustedProxies>(parsed) ? std::get<TrustedProxies>(parsed)
                                                        : TrustedProxies{};
}

/// The client address, as text, of a request from `peer` with these X-Forwarded-For values.
std::string clientOf(std::string_view peer, const std::vector<std::string>& forwardedFor,
                     const TrustedProxies& trusted) {
  std::vector<HttpHeader> headers{{"Host", "localhost"}};
  for (const auto& value : forwardedFor) headers.push_back({"X-Forwarded-For", value});
  const auto client = clientAddress(ip(peer), headers, trusted);
  return client ? client->toString() : "(none)";
}

TEST(ClientAddress, AddressesParseAndPrintInTheirUsualForm) {
  EXPECT_EQ(ip("192.0.2.1").toString(), "192.0.2.1");
  EXPECT_EQ(ip("2001:0db8:0:0::1").toString(), "2001:db8::1");
  EXPECT_FALSE(ip("2001:db8::1").v6 == ip("192.0.2.1").v6);
  // An IPv4-mapped IPv6 address is the IPv4 address.
  EXPECT_EQ(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
  for (std::string_view bad : {"", "localhost", "192.0.2.1:80", "192.0.2", "192.0.2.256", "[::1]",
                               "fe80::1%eth0", " 192.0.2.1", "unknown"}) {
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
  }
}

TEST(ClientAddress, TrustedProxiesAreAddressesAndNetworks) {
  const auto trusted = trusting(" 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8,");
  for (std::string_view yes :
       {"127.0.0.1", "10.0.0.1", "10.255.255.255", "::1", "fd12::1", "::ffff:10.1.2.3"}) {
    EXPECT_TRUE(trusted.trusts(ip(yes))) << yes;
  }
  for (std::string_view no : {"127.0.0.2", "11.0.0.1", "9.255.255.255", "::2", "fe00::1"}) {
    EXPECT_FALSE(trusted.trusts(ip(no))) << no;
  }
  EXPECT_TRUE(trusting("").empty());
  EXPECT_FALSE(trusting("").trusts(ip("127.0.0.1")));
  EXPECT_TRUE(trusting("0.0.0.0/0").trusts(ip("203.0.113.9")));
  EXPECT_FALSE(trusting("0.0.0.0/0").trusts(ip("2001:db8::1")));
}

TEST(ClientAddress, AMistypedTrustedProxyIsRefusedWithAReason) {
  for (std::string_view bad : {"localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x",
                               "10.0.0.0/-1", "10.0.0.0/8/8", "127.0.0.1 10.0.0.1"}) {
    auto parsed = TrustedProxies::parse(bad);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << bad;
    EXPECT_NE(std::get<std::string>(parsed).find(bad), std::string::npos)
        << std::get<std::string>(parsed);
  }
  // Bits set beyond the prefix are a typo, and the message names the network meant.
  auto hostBits = TrustedProxies::parse("10.1.2.3/8");
  ASSERT_TRUE(std::holds_alternative<std::string>(hostBits));
  EXPECT_NE(std::get<std::string>(hostBits).find("10.0.0.0/8"), std::string::npos);
}

TEST(ClientAddress, TheHeaderOfATrustedProxyNamesTheClient) {
  const auto trusted = trusting("127.0.0.1");
  EXPECT_EQ(clientOf("127.0.0.1", {"203.0.113.7"}, trusted), "203.0.113.7");
  EXPECT_EQ(clientOf("127.0.0.1", {" 2001:db8::7 "}, trusted), "2001:db8::7");
  // Without the header, the proxy itself is the client.
  EXPECT_EQ(clientOf("127.0.0.1", {}, trusted), "127.0.0.1");
}

TEST(ClientAddress, TheHeaderOfAnUntrustedPeerIsIgnored) {
  EXPECT_EQ(clientOf("198.51.100.2", {"203.0.113.7"}, trusting("127.0.0.1")), "198.51.100.2");
  // Nobody is trusted by default.
  EXPECT_EQ(clientOf("127.0.0.1", {"203.0.113.7"}, TrustedProxies{}), "127.0.0.1");
}

TEST(ClientAddress, AMalformedHeaderIsIgnored) {
  const auto trusted = trusting("127.0.0.1, 10.0.0.0/8");
  for (std::string value :
       {"", "not-an-ip", "unknown", "203.0.113.7:1234", "203.0.113.7,", "203.0.113.7, ",
        "[2001:db8::7]", "203.0.113.7 198.51.100.1", "garbage, 10.0.0.5", "203.0.113.7;by=x"}) {
    EXPECT_EQ(clientOf("127.0.0.1", {value}, trusted), "127.0.0.1") << value;
  }
}

TEST(ClientAddress, TheListIsReadFromTheRightUpToTheFirstUntrustedAddress) {
  const auto trusted = trusting("127.0.0.1, 10.0.0.0/8");
  // A client that sends the header itself cannot choose its address: nginx appends the address
  // it received the request from, and that one is read first.
  EXPECT_EQ(clientOf("127.0.0.1", {"198.51.100.1, 203.0.113.7"}, trusted), "203.0.113.7");
  EXPECT_EQ(clientOf("127.0.0.1", {"garbage, 203.0.113.7"}, trusted), "203.0.113.7");
  // Trusted hops on the way (a balancer in front of nginx) are skipped.
  EXPECT_EQ(clientOf("127.0.0.1", {"203.0.113.7, 10.0.0.5"}, trusted), "203.0.113.7");
  EXPECT_EQ(clientOf("127.0.0.1", {"10.0.0.9, 10.0.0.5"}, trusted), "10.0.0.9");
  // Several headers are one list, in order.
  EXPECT_EQ(clientOf("127.0.0.1", {"198.51.100.1", "203.0.113.7"}, trusted), "203.0.113.7");
  EXPECT_EQ(clientOf("127.0.0.1", {"203.0.113.7", "10.0.0.5"}, trusted), "203.0.113.7");
}

TEST(ClientAddress, TheHeaderNameIsCaseInsensitiveAndAnUnknownPeerStaysUnknown) {
  const auto trusted = trusting("127.0.0.1");
  const std::vector<HttpHeader> headers{{"x-forwarded-for", "203.0.113.7"}};
  EXPECT_EQ(clientAddress(ip("127.0.0.1"), headers, trusted), ip("203.0.113.7"));
  EXPECT_FALSE(clientAddress(std::nullopt, headers, trusted).has_value());
}

}  // namespace
}  // namespace kkr::api
