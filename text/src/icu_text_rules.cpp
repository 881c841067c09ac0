#include "kkr/text/icu_text_rules.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/unistr.h>

namespace kkr::text {

namespace {

void check(UErrorCode status, const char* what) {
  if (U_FAILURE(status)) throw std::runtime_error(std::string(what) + ": " + u_errorName(status));
}

/// Ill-formed UTF-8 becomes U+FFFD, so what comes out is always well-formed.
icu::UnicodeString fromUtf8(std::string_view utf8) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
}

// Threads: request workers search and build books while the follower and writers build new
// snapshots, all through one instance. ICU's service objects may be used from any number of
// threads at once as long as every thread calls only const functions (ICU User Guide, "ICU
// Architectural Design", Thread-safe const APIs); setters such as setAttribute are not. Every
// setting is therefore made in the constructor, and both members are pointers to const, so the
// compiler keeps it that way. The NFKC_Casefold instance is ICU's own immutable singleton.
class IcuTextRules final : public domain::TextRules {
 public:
  IcuTextRules() {
    UErrorCode status = U_ZERO_ERROR;
    // "da" as it stands: ICU's Danish tailoring (CLDR) already puts æ, ø, å after z, "aa" with å
    // at the primary level, and capitals first, which is what Danish dictionaries do.
    collator_.reset(icu::Collator::createInstance(icu::Locale("da"), status));
    check(status, "ICU's Danish collator");
    // Without "da" in its data ICU falls back to the root order, which puts å with a.
    if (status == U_USING_DEFAULT_WARNING) {
      throw std::runtime_error("ICU's data has no Danish collation");
    }
    caseFolding_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    check(status, "ICU's NFKC_Casefold normalizer");
  }

  std::string sortKey(std::string_view utf8) const override {
    const icu::UnicodeString text = fromUtf8(utf8);
    std::string key(kInitialKeySize, '\0');
    auto fill = [&] {
      return collator_->getSortKey(text, reinterpret_cast<std::uint8_t*>(key.data()),
                                   static_cast<std::int32_t>(key.size()));
    };
    auto length = static_cast<std::size_t>(fill());
    if (length > key.size()) {  // the key did not fit: `length` is what it needs
      key.resize(length);
      length = static_cast<std::size_t>(fill());
    }
    if (length == 0) throw std::runtime_error("ICU made no sort key");  // out of memory
    // ICU ends a key with a 0 byte for strcmp; std::string compares by length instead.
    key.resize(length - 1);
    return key;
  }

  std::string caseFold(std::string_view utf8) const override {
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString folded = caseFolding_->normalize(fromUtf8(utf8), status);
    check(status, "NFKC_Casefold");
    std::string out;
    folded.toUTF8String(out);
    return out;
  }

 private:
  /// Room for the key of any name the register holds; a longer text takes a second call.
  static constexpr std::size_t kInitialKeySize = 128;

  std::unique_ptr<const icu::Collator> collator_;
  const icu::Normalizer2* caseFolding_ = nullptr;
};

}  // namespace

const domain::TextRules& icuTextRules() {
  static const IcuTextRules rules;
  return rules;
}

}  // namespace kkr::text
