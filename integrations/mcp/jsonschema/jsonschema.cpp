// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "jsonschema.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QStringList>
#include <QStringView>

using namespace Qt::StringLiterals;

namespace Mcp {
namespace Detail {
namespace {

// Caps that keep a hostile call cheap: a 10,000-element array of wrong types yields 64 errors, not 10,000, and a
// deeply nested value is refused before it exhausts the MCP thread's stack.
constexpr qsizetype kMaxErrors = 64;
constexpr int kMaxDepth = 256;

enum TypeBit : quint8 {
    TypeNull = 1u << 0,
    TypeBoolean = 1u << 1,
    TypeObject = 1u << 2,
    TypeArray = 1u << 3,
    TypeNumber = 1u << 4,
    TypeString = 1u << 5,
    TypeInteger = 1u << 6,
};

enum class Format : quint8 { None, Date, Time, DateTime, Email, Uri };

// A JSON number kept exactly when it is an integer: Qt stores integers as qint64, and comparing two of them as
// doubles would make 9007199254740993 equal to 9007199254740992.
struct Number
{
    double d = 0;
    qint64 i = 0;
    bool isInt = false;
};

Number toNumber(const QJsonValue &v)
{
    Number n;
    n.d = v.toDouble();
    // toInteger() returns its argument unless the value is an integer (or a double with an integral value that
    // fits qint64); asking twice with different fallbacks tells the two cases apart without a sentinel.
    const qint64 a = v.toInteger(0);
    if (a == v.toInteger(1)) {
        n.i = a;
        n.isInt = true;
    }
    return n;
}

int compareNumbers(const Number &a, const Number &b)
{
    if (a.isInt && b.isInt)
        return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
}

QString numberText(const Number &n)
{
    return n.isInt ? QString::number(n.i) : QString::number(n.d, 'g', QLocale::FloatingPointShortest);
}

// JSON Schema 2020-12 validation §6.2.1: valid when the division yields an integer.
bool isMultipleOf(const Number &x, const Number &m)
{
    if (x.isInt && m.isInt)
        return x.i % m.i == 0; // m > 0 is checked at compile time
    const double q = x.d / m.d;
    if (!std::isfinite(q))
        return false; // 1e308 / 0.123456789 overflows; no finite multiple of m is that large
    // Beyond 2^53 every double is an integer, and below it decimal steps such as 0.0001 are not exact in binary:
    // accept a quotient within a few ulps of an integer.
    const double r = std::fabs(q - std::round(q));
    return r <= 8 * DBL_EPSILON * std::max(1.0, std::fabs(q));
}

bool isIntegral(const QJsonValue &v)
{
    // JSON Schema 2020-12 core §4.2.2 (and validation §6.1.1): "integer" is any number with a zero fractional part,
    // so 1.0 is an integer.
    const double d = v.toDouble();
    return std::isfinite(d) && std::trunc(d) == d;
}

quint8 typeBits(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return TypeNull;
    case QJsonValue::Bool:
        return TypeBoolean;
    case QJsonValue::Double:
        return isIntegral(v) ? quint8(TypeNumber | TypeInteger) : quint8(TypeNumber);
    case QJsonValue::String:
        return TypeString;
    case QJsonValue::Array:
        return TypeArray;
    case QJsonValue::Object:
        return TypeObject;
    case QJsonValue::Undefined:
        break;
    }
    return 0;
}

// JSON Schema 2020-12 core §4.2.2: instance equality. Numbers compare mathematically (1 == 1.0), object member order
// does not matter, and true is not 1.
bool jsonEqual(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case QJsonValue::Double:
        return compareNumbers(toNumber(a), toNumber(b)) == 0;
    case QJsonValue::String:
        return a.toString() == b.toString();
    case QJsonValue::Bool:
        return a.toBool() == b.toBool();
    case QJsonValue::Array: {
        const QJsonArray x = a.toArray();
        const QJsonArray y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!jsonEqual(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    case QJsonValue::Object: {
        const QJsonObject x = a.toObject();
        const QJsonObject y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
            const auto other = y.constFind(it.key());
            if (other == y.constEnd() || !jsonEqual(it.value(), other.value()))
                return false;
        }
        return true;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return true;
}

// A hash consistent with jsonEqual(), so uniqueItems on a long array costs n log n instead of n².
size_t jsonHash(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double: {
        const Number n = toNumber(v);
        return n.isInt ? qHash(n.i) : qHash(n.d);
    }
    case QJsonValue::String:
        return qHash(v.toString()) ^ 0x5bd1e995u;
    case QJsonValue::Bool:
        return v.toBool() ? 0x9e3779b9u : 0x7f4a7c15u;
    case QJsonValue::Array: {
        size_t h = 0xa5a5a5a5u;
        const QJsonArray a = v.toArray();
        for (const QJsonValue &item : a)
            h = h * 31 + jsonHash(item);
        return h;
    }
    case QJsonValue::Object: {
        size_t h = 0x3c6ef372u;
        const QJsonObject o = v.toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it)
            h += qHash(it.key()) * 31 + jsonHash(it.value()); // a sum: member order must not matter
        return h;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return 0x1b873593u;
}

QString jsonText(const QJsonValue &v)
{
    const QByteArray text = QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// JSON Schema 2020-12 validation §6.3.1: lengths count Unicode code points, so a surrogate pair is one character.
qsizetype codePointCount(QStringView s)
{
    qsizetype n = s.size();
    for (qsizetype i = 0; i + 1 < s.size(); ++i) {
        if (s[i].isHighSurrogate() && s[i + 1].isLowSurrogate()) {
            --n;
            ++i;
        }
    }
    return n;
}

QString plural(qint64 n, const QString &one, const QString &many)
{
    return QString::number(n) + u' ' + (n == 1 ? one : many);
}

// ---------------------------------------------------------------------------------------------------------------
// Formats (JSON Schema 2020-12 validation §7.3). Only ASCII digits count as digits: "১" is not a "1".

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isAsciiAlpha(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

bool isHexDigit(QChar c)
{
    const char16_t u = c.unicode();
    return isAsciiDigit(c) || (u >= u'a' && u <= u'f') || (u >= u'A' && u <= u'F');
}

// `count` ASCII digits at `pos`.
bool readDigits(QStringView s, qsizetype pos, int count, int *out)
{
    if (pos + count > s.size())
        return false;
    int value = 0;
    for (int k = 0; k < count; ++k) {
        const QChar c = s[pos + k];
        if (!isAsciiDigit(c))
            return false;
        value = value * 10 + (c.unicode() - u'0');
    }
    *out = value;
    return true;
}

bool isLeapYear(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// RFC 3339 §5.6 full-date = date-fullyear "-" date-month "-" date-mday, with the §5.7 calendar limits.
bool isValidDate(QStringView s)
{
    int year = 0;
    int month = 0;
    int day = 0;
    if (s.size() != 10 || s[4] != u'-' || s[7] != u'-' || !readDigits(s, 0, 4, &year) || !readDigits(s, 5, 2, &month)
        || !readDigits(s, 8, 2, &day))
        return false;
    if (month < 1 || month > 12 || day < 1)
        return false;
    static constexpr int kDays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const int maxDay = (month == 2 && isLeapYear(year)) ? 29 : kDays[month - 1];
    return day <= maxDay;
}

// RFC 3339 §5.6 full-time = partial-time time-offset; time-secfrac is optional, the offset is not.
bool isValidTime(QStringView s)
{
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (s.size() < 9 || s[2] != u':' || s[5] != u':' || !readDigits(s, 0, 2, &hour) || !readDigits(s, 3, 2, &minute)
        || !readDigits(s, 6, 2, &second))
        return false;
    qsizetype pos = 8;
    if (pos < s.size() && s[pos] == u'.') {
        const qsizetype start = ++pos;
        while (pos < s.size() && isAsciiDigit(s[pos]))
            ++pos;
        if (pos == start)
            return false;
    }
    if (pos >= s.size())
        return false; // the offset is mandatory
    int offsetMinutes = 0;
    const QChar z = s[pos];
    if (z == u'Z' || z == u'z') { // RFC 3339 §5.6 NOTE: "T" and "Z" may be lower case
        if (pos + 1 != s.size())
            return false;
    } else if (z == u'+' || z == u'-') {
        int offsetHour = 0;
        int offsetMinute = 0;
        if (s.size() - pos != 6 || s[pos + 3] != u':' || !readDigits(s, pos + 1, 2, &offsetHour)
            || !readDigits(s, pos + 4, 2, &offsetMinute) || offsetHour > 23 || offsetMinute > 59)
            return false;
        offsetMinutes = (offsetHour * 60 + offsetMinute) * (z == u'+' ? 1 : -1);
    } else {
        return false;
    }
    if (hour > 23 || minute > 59 || second > 60)
        return false;
    if (second == 60) {
        // RFC 3339 §5.7: a leap second is inserted at the end of a UTC day, i.e. at 23:59:60Z whatever the offset.
        // Which days had one is a table we do not keep (nor does the test suite expect one).
        const int utcMinutes = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440;
        if (utcMinutes != 23 * 60 + 59)
            return false;
    }
    return true;
}

// RFC 3339 §5.6 date-time = full-date "T" full-time.
bool isValidDateTime(QStringView s)
{
    return s.size() > 11 && (s[10] == u'T' || s[10] == u't') && isValidDate(s.first(10)) && isValidTime(s.sliced(11));
}

// RFC 3986 §3.2.2 dec-octet "." dec-octet "." dec-octet "." dec-octet; no leading zeros.
bool isIpv4(QStringView s)
{
    int parts = 0;
    qsizetype pos = 0;
    while (true) {
        const qsizetype start = pos;
        int value = 0;
        while (pos < s.size() && isAsciiDigit(s[pos]) && pos - start < 3)
            value = value * 10 + (s[pos++].unicode() - u'0');
        const qsizetype len = pos - start;
        if (len == 0 || value > 255 || (len > 1 && s[start] == u'0'))
            return false;
        ++parts;
        if (pos == s.size())
            break;
        if (s[pos] != u'.' || parts == 4)
            return false;
        ++pos;
    }
    return parts == 4;
}

// RFC 4291 §2.2 text forms: eight groups of 1-4 hex digits, one "::" standing for one or more zero groups, and an
// optional dotted IPv4 address as the last 32 bits.
bool isIpv6(QStringView s)
{
    const auto countGroups = [](QStringView part, bool ipv4Allowed, int *groups) {
        *groups = 0;
        if (part.isEmpty())
            return true;
        const QList<QStringView> pieces = part.split(u':');
        for (qsizetype i = 0; i < pieces.size(); ++i) {
            const QStringView g = pieces[i];
            if (ipv4Allowed && i == pieces.size() - 1 && g.contains(u'.')) {
                if (!isIpv4(g))
                    return false;
                *groups += 2;
                continue;
            }
            if (g.isEmpty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), isHexDigit))
                return false;
            *groups += 1;
        }
        return true;
    };
    const qsizetype gap = s.indexOf(u"::");
    int head = 0;
    int tail = 0;
    if (gap < 0)
        return countGroups(s, true, &head) && head == 8;
    if (s.indexOf(u"::", gap + 1) >= 0)
        return false;
    return countGroups(s.first(gap), false, &head) && countGroups(s.sliced(gap + 2), true, &tail) && head + tail <= 7;
}

// RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens, 1-63 characters each.
bool isHostname(QStringView s)
{
    if (s.isEmpty() || s.size() > 253)
        return false;
    const QList<QStringView> labels = s.split(u'.');
    for (const QStringView label : labels) {
        if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
            return false;
        for (const QChar c : label) {
            if (!isAsciiAlpha(c) && !isAsciiDigit(c) && c != u'-')
                return false;
        }
    }
    return true;
}

bool isAtext(QChar c)
{
    // RFC 5322 §3.2.3 atext
    return isAsciiAlpha(c) || isAsciiDigit(c) || QStringView(u"!#$%&'*+-/=?^_`{|}~").contains(c);
}

// RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ), ASCII only (non-ASCII is idn-email).
bool isValidEmail(QStringView s)
{
    qsizetype pos = 0;
    if (s.startsWith(u'"')) {
        // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
        pos = 1;
        while (true) {
            if (pos >= s.size())
                return false;
            const char16_t c = s[pos].unicode();
            if (c == u'"')
                break;
            if (c == u'\\') { // quoted-pairSMTP = %d92 %d32-126
                if (pos + 1 >= s.size() || s[pos + 1].unicode() < 32 || s[pos + 1].unicode() > 126)
                    return false;
                pos += 2;
                continue;
            }
            if (c < 32 || c > 126) // qtextSMTP = %d32-33 / %d35-91 / %d93-126
                return false;
            ++pos;
        }
        ++pos;
    } else {
        // Dot-string = Atom *("." Atom)
        bool atomStart = true;
        while (pos < s.size() && s[pos] != u'@') {
            if (s[pos] == u'.') {
                if (atomStart)
                    return false;
                atomStart = true;
            } else if (isAtext(s[pos])) {
                atomStart = false;
            } else {
                return false;
            }
            ++pos;
        }
        if (atomStart) // empty local part or a trailing dot
            return false;
    }
    if (pos > 64 || pos >= s.size() || s[pos] != u'@') // RFC 5321 §4.5.3.1.1: local part at most 64 octets
        return false;
    const QStringView domain = s.sliced(pos + 1);
    if (domain.startsWith(u'[')) {
        if (!domain.endsWith(u']'))
            return false;
        const QStringView literal = domain.sliced(1, domain.size() - 2);
        if (literal.startsWith(u"IPv6:", Qt::CaseInsensitive))
            return isIpv6(literal.sliced(5));
        return isIpv4(literal);
    }
    return isHostname(domain);
}

bool isUnreserved(QChar c)
{
    return isAsciiAlpha(c) || isAsciiDigit(c) || c == u'-' || c == u'.' || c == u'_' || c == u'~';
}

bool isSubDelim(QChar c)
{
    return QStringView(u"!$&'()*+,;=").contains(c);
}

// Characters of `part` are unreserved, sub-delims, pct-encoded or one of `extra` (RFC 3986 §2).
bool uriCharsOk(QStringView part, QStringView extra)
{
    for (qsizetype i = 0; i < part.size(); ++i) {
        const QChar c = part[i];
        if (c == u'%') {
            if (i + 2 >= part.size() || !isHexDigit(part[i + 1]) || !isHexDigit(part[i + 2]))
                return false;
            i += 2;
        } else if (!isUnreserved(c) && !isSubDelim(c) && !extra.contains(c)) {
            return false;
        }
    }
    return true;
}

// RFC 3986 §3 URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]: an absolute URI, not a reference.
bool isValidUri(QStringView s)
{
    const qsizetype colon = s.indexOf(u':');
    if (colon < 1 || !isAsciiAlpha(s[0]))
        return false;
    for (qsizetype i = 1; i < colon; ++i) {
        const QChar c = s[i];
        if (!isAsciiAlpha(c) && !isAsciiDigit(c) && c != u'+' && c != u'-' && c != u'.')
            return false;
    }
    QStringView rest = s.sliced(colon + 1);
    if (const qsizetype hash = rest.indexOf(u'#'); hash >= 0) {
        if (!uriCharsOk(rest.sliced(hash + 1), u":@/?"))
            return false;
        rest = rest.first(hash);
    }
    if (const qsizetype query = rest.indexOf(u'?'); query >= 0) {
        if (!uriCharsOk(rest.sliced(query + 1), u":@/?"))
            return false;
        rest = rest.first(query);
    }
    if (rest.startsWith(u"//")) {
        // §3.2 authority = [ userinfo "@" ] host [ ":" port ]
        rest = rest.sliced(2);
        const qsizetype slash = rest.indexOf(u'/');
        QStringView authority = slash < 0 ? rest : rest.first(slash);
        rest = slash < 0 ? QStringView() : rest.sliced(slash);
        if (const qsizetype at = authority.indexOf(u'@'); at >= 0) {
            if (!uriCharsOk(authority.first(at), u":"))
                return false;
            authority = authority.sliced(at + 1);
        }
        QStringView port;
        if (authority.startsWith(u'[')) {
            // §3.2.2 IP-literal = "[" ( IPv6address / IPvFuture ) "]"
            const qsizetype close = authority.indexOf(u']');
            if (close < 0)
                return false;
            const QStringView literal = authority.sliced(1, close - 1);
            if (literal.startsWith(u'v') || literal.startsWith(u'V')) {
                const qsizetype dot = literal.indexOf(u'.');
                if (dot < 2 || dot + 1 >= literal.size()
                    || !std::all_of(literal.begin() + 1, literal.begin() + dot, isHexDigit)
                    || !uriCharsOk(literal.sliced(dot + 1), u":") || literal.contains(u'%'))
                    return false;
            } else if (!isIpv6(literal)) {
                return false;
            }
            const QStringView after = authority.sliced(close + 1);
            if (!after.isEmpty() && !after.startsWith(u':'))
                return false;
            port = after.isEmpty() ? QStringView() : after.sliced(1);
        } else {
            const qsizetype portColon = authority.indexOf(u':');
            const QStringView host = portColon < 0 ? authority : authority.first(portColon);
            port = portColon < 0 ? QStringView() : authority.sliced(portColon + 1);
            if (!uriCharsOk(host, {})) // reg-name (an IPv4address is a valid reg-name as well)
                return false;
        }
        if (!std::all_of(port.begin(), port.end(), isAsciiDigit))
            return false;
    }
    // §3.3 path segments: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
    return uriCharsOk(rest, u":@/");
}

bool matchesFormat(Format format, QStringView s)
{
    switch (format) {
    case Format::None:
        return true;
    case Format::Date:
        return isValidDate(s);
    case Format::Time:
        return isValidTime(s);
    case Format::DateTime:
        return isValidDateTime(s);
    case Format::Email:
        return isValidEmail(s);
    case Format::Uri:
        return isValidUri(s);
    }
    return true;
}

QString formatRule(Format format)
{
    switch (format) {
    case Format::None:
        break;
    case Format::Date:
        return u"must be a valid date (RFC 3339 full-date, YYYY-MM-DD)"_s;
    case Format::Time:
        return u"must be a valid time with an offset (RFC 3339 full-time, HH:MM:SS[.sss]Z or HH:MM:SS±HH:MM)"_s;
    case Format::DateTime:
        return u"must be a valid date-time (RFC 3339, YYYY-MM-DDTHH:MM:SS[.sss] followed by Z or ±HH:MM)"_s;
    case Format::Email:
        return u"must be a valid email address"_s;
    case Format::Uri:
        return u"must be an absolute URI (RFC 3986)"_s;
    }
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns: JSON Schema 2020-12 validation §6.3.3 says ECMA-262 regular expressions; QRegularExpression is PCRE2.
// Where the two read the same text differently we rewrite the pattern, so "^[a-z]+$" does not accept "abc\n".

// ECMA-262 §22.2.2.9 WhiteSpace and LineTerminator (what \s means there); PCRE's \s without UCP is ASCII only.
constexpr auto kEcmaSpaces
    = u"\\s\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";

// ECMA-262 accepts General_Category long names (Unicode PropertyValueAliases); PCRE2 10.42 only the short ones.
QString generalCategoryAlias(const QString &name)
{
    static const QHash<QString, QString> aliases = {
        { u"Letter"_s, u"L"_s },
        { u"Cased_Letter"_s, u"LC"_s },
        { u"Uppercase_Letter"_s, u"Lu"_s },
        { u"Lowercase_Letter"_s, u"Ll"_s },
        { u"Titlecase_Letter"_s, u"Lt"_s },
        { u"Modifier_Letter"_s, u"Lm"_s },
        { u"Other_Letter"_s, u"Lo"_s },
        { u"Mark"_s, u"M"_s },
        { u"Combining_Mark"_s, u"M"_s },
        { u"Nonspacing_Mark"_s, u"Mn"_s },
        { u"Spacing_Mark"_s, u"Mc"_s },
        { u"Enclosing_Mark"_s, u"Me"_s },
        { u"Number"_s, u"N"_s },
        { u"Decimal_Number"_s, u"Nd"_s },
        { u"digit"_s, u"Nd"_s },
        { u"Letter_Number"_s, u"Nl"_s },
        { u"Other_Number"_s, u"No"_s },
        { u"Punctuation"_s, u"P"_s },
        { u"punct"_s, u"P"_s },
        { u"Connector_Punctuation"_s, u"Pc"_s },
        { u"Dash_Punctuation"_s, u"Pd"_s },
        { u"Open_Punctuation"_s, u"Ps"_s },
        { u"Close_Punctuation"_s, u"Pe"_s },
        { u"Initial_Punctuation"_s, u"Pi"_s },
        { u"Final_Punctuation"_s, u"Pf"_s },
        { u"Other_Punctuation"_s, u"Po"_s },
        { u"Symbol"_s, u"S"_s },
        { u"Math_Symbol"_s, u"Sm"_s },
        { u"Currency_Symbol"_s, u"Sc"_s },
        { u"Modifier_Symbol"_s, u"Sk"_s },
        { u"Other_Symbol"_s, u"So"_s },
        { u"Separator"_s, u"Z"_s },
        { u"Space_Separator"_s, u"Zs"_s },
        { u"Line_Separator"_s, u"Zl"_s },
        { u"Paragraph_Separator"_s, u"Zp"_s },
        { u"Other"_s, u"C"_s },
        { u"Control"_s, u"Cc"_s },
        { u"cntrl"_s, u"Cc"_s },
        { u"Format"_s, u"Cf"_s },
        { u"Surrogate"_s, u"Cs"_s },
        { u"Private_Use"_s, u"Co"_s },
        { u"Unassigned"_s, u"Cn"_s },
    };
    return aliases.value(name, name);
}

bool readHex(QStringView s, qsizetype pos, qsizetype count, char32_t *out)
{
    if (pos + count > s.size())
        return false;
    char32_t value = 0;
    for (qsizetype k = 0; k < count; ++k) {
        const char16_t c = s[pos + k].unicode();
        if (c >= u'0' && c <= u'9')
            value = value * 16 + (c - u'0');
        else if (c >= u'a' && c <= u'f')
            value = value * 16 + (c - u'a' + 10);
        else if (c >= u'A' && c <= u'F')
            value = value * 16 + (c - u'A' + 10);
        else
            return false;
    }
    *out = value;
    return true;
}

// Rewrites an ECMA-262 pattern (with the "u" flag, which JSON Schema implies) into PCRE2 syntax.
std::optional<QString> ecmaToPcre(QStringView src, QString *error)
{
    QString out;
    out.reserve(src.size() + 16);
    bool inClass = false;
    for (qsizetype i = 0; i < src.size(); ++i) {
        const QChar c = src[i];
        if (c == u'\\') {
            if (i + 1 >= src.size()) {
                *error = u"the pattern ends with a lone backslash"_s;
                return std::nullopt;
            }
            const QChar e = src[++i];
            if (e == u'u') {
                // \uXXXX, \u{X...} and a surrogate pair written as two \u escapes; PCRE2 spells them \x{...}.
                char32_t cp = 0;
                if (i + 1 < src.size() && src[i + 1] == u'{') {
                    const qsizetype close = src.indexOf(u'}', i + 2);
                    if (close < 0 || close == i + 2 || close - i - 2 > 6 || !readHex(src, i + 2, close - i - 2, &cp)
                        || cp > 0x10FFFF) {
                        *error = u"invalid \\u{...} escape"_s;
                        return std::nullopt;
                    }
                    i = close;
                } else if (readHex(src, i + 1, 4, &cp)) {
                    i += 4;
                    char32_t low = 0;
                    if (QChar::isHighSurrogate(cp) && i + 2 < src.size() && src[i + 1] == u'\\' && src[i + 2] == u'u'
                        && readHex(src, i + 3, 4, &low) && QChar::isLowSurrogate(low)) {
                        cp = QChar::surrogateToUcs4(char16_t(cp), char16_t(low));
                        i += 6;
                    }
                } else {
                    *error = u"invalid \\u escape"_s;
                    return std::nullopt;
                }
                out += u"\\x{"_s + QString::number(uint(cp), 16) + u"}";
            } else if (e == u's') {
                out += inClass ? QString::fromUtf16(kEcmaSpaces) : u"["_s + QString::fromUtf16(kEcmaSpaces) + u"]";
            } else if (e == u'S' && !inClass) {
                out += u"[^"_s + QString::fromUtf16(kEcmaSpaces) + u"]";
            } else if (e == u'p' || e == u'P') {
                // Unicode property escapes: \p{Letter}, \p{gc=Lu}, \p{Script=Greek}.
                const qsizetype close = src.indexOf(u'}', i + 1);
                if (i + 1 >= src.size() || src[i + 1] != u'{' || close < 0) {
                    *error = u"\\p and \\P need a {property}"_s;
                    return std::nullopt;
                }
                QString property = src.sliced(i + 2, close - i - 2).toString();
                if (property.startsWith(u"General_Category="_s))
                    property = property.sliced(17);
                else if (property.startsWith(u"gc="_s))
                    property = property.sliced(3);
                out += u'\\';
                out += e;
                out += u"{"_s + generalCategoryAlias(property) + u"}";
                i = close;
            } else {
                // \d \w \b and friends are ASCII in both dialects (no PCRE2_UCP), backreferences read the same.
                out += u'\\';
                out += e;
            }
            continue;
        }
        if (inClass) {
            if (c == u']')
                inClass = false;
            out += c == u'[' ? u"\\["_s : QString(c); // "[[:alpha:]]" is a POSIX class in PCRE, two '[' in ECMA
            continue;
        }
        if (c == u'[') {
            if (src.sliced(i).startsWith(u"[]")) { // ECMA-262 §22.2.2.9: an empty class never matches
                out += u"(?!)"_s;
                ++i;
                continue;
            }
            if (src.sliced(i).startsWith(u"[^]")) { // ... and its complement matches anything
                out += u"[\\s\\S]"_s;
                i += 2;
                continue;
            }
            inClass = true;
            out += c;
            if (i + 1 < src.size() && src[i + 1] == u'^') {
                out += u'^';
                ++i;
            }
        } else if (c == u'.') {
            out += u"[^\\n\\r\\x{2028}\\x{2029}]"_s; // ECMA-262 §22.2.2.7: '.' excludes every LineTerminator
        } else if (c == u'$') {
            out += u"\\z"_s; // PCRE's '$' also matches before a final "\n"; ECMA's only at the very end
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

struct Property
{
    QString name;
    int schema = -1;
};

// One compiled (sub)schema. Children are indices into SchemaDocument::nodes, so $ref can point anywhere, itself
// included, without ownership cycles.
struct Node
{
    enum class Kind : quint8 { Normal, AlwaysTrue, AlwaysFalse };
    Kind kind = Kind::Normal;
    quint8 types = 0; // TypeBit mask; 0: no "type" keyword
    Format format = Format::None;
    bool uniqueItems = false;
    bool hasEnum = false;
    bool hasConst = false;
    bool constIsString = false;
    bool hasNumberChecks = false;
    bool hasStringChecks = false;
    bool hasArrayChecks = false;
    bool hasObjectChecks = false;

    std::optional<Number> minimum;
    std::optional<Number> maximum;
    std::optional<Number> exclusiveMinimum;
    std::optional<Number> exclusiveMaximum;
    std::optional<Number> multipleOf;

    qint64 minLength = -1;
    qint64 maxLength = -1;
    std::optional<QRegularExpression> pattern;
    QString patternSource;

    QList<int> prefixItems;
    int items = -1;
    qint64 minItems = -1;
    qint64 maxItems = -1;

    QList<Property> properties;
    QHash<QString, int> propertyIndex;
    QStringList required;
    int additionalProperties = -1;
    qint64 minProperties = -1;
    qint64 maxProperties = -1;

    // enum values split by type so a string argument is compared without converting every member again
    QStringList enumStrings;
    QList<QJsonValue> enumOthers;
    QJsonArray enumValues;
    QJsonValue constValue;
    QString constString;

    QList<int> allOf;
    QList<int> anyOf;
    QList<int> oneOf;
    int notSchema = -1;
    int ref = -1;
};

struct SchemaDocument
{
    std::vector<Node> nodes;
    int root = -1;
    QList<std::pair<QString, QJsonValue>> defaults;
};

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Validation

class Validator
{
public:
    Validator(const SchemaDocument &doc, QList<ValidationError> *errors)
        : m_doc(doc)
        , m_errors(errors)
    { }

    // True when `v` satisfies node `index`. Without an error list it stops at the first broken rule and allocates
    // nothing for the path; with one it records every broken rule (up to kMaxErrors).
    bool validate(int index, const QJsonValue &v);

private:
    struct Segment
    {
        QString key;
        qsizetype index = -1;
    };

    // A path step that is recorded only when errors are collected.
    class Step
    {
    public:
        Step(Validator *validator, const QString &key)
            : m_validator(validator->m_errors ? validator : nullptr)
        {
            if (m_validator)
                m_validator->m_path.append({ key, -1 });
        }
        Step(Validator *validator, qsizetype index)
            : m_validator(validator->m_errors ? validator : nullptr)
        {
            if (m_validator)
                m_validator->m_path.append({ QString(), index });
        }
        ~Step()
        {
            if (m_validator)
                m_validator->m_path.removeLast();
        }
        Q_DISABLE_COPY_MOVE(Step)

    private:
        Validator *m_validator;
    };

    bool stopped() const { return !m_errors || m_errors->size() >= kMaxErrors; }

    // Records a broken rule at the current path; returns whether validation should go on. `message` is a callable
    // so that the quiet mode never builds a string it would throw away.
    template<typename MessageFn> bool report(QLatin1String keyword, MessageFn &&message)
    {
        if (!m_errors)
            return false;
        if (m_errors->size() < kMaxErrors)
            m_errors->append({ pointer(), keyword, label() + u": " + QString(message()) });
        return !stopped();
    }

    bool validateNode(const Node &n, const QJsonValue &v);
    bool quietly(int index, const QJsonValue &v) const;
    QString describeAlternatives(const QList<int> &branches, const QJsonValue &v) const;
    QString pointer() const;
    QString label() const;

    const SchemaDocument &m_doc;
    QList<ValidationError> *m_errors;
    QList<Segment> m_path;
    int m_depth = 0;
};

QString Validator::pointer() const
{
    // RFC 6901 §3: '~' is written "~0" and '/' "~1"
    QString out;
    for (const Segment &s : m_path) {
        out += u'/';
        if (s.index >= 0) {
            out += QString::number(s.index);
        } else {
            QString key = s.key;
            out += key.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
        }
    }
    return out;
}

QString Validator::label() const
{
    if (m_path.isEmpty())
        return u"(root)"_s;
    QString out;
    for (const Segment &s : m_path) {
        if (s.index >= 0) {
            out += u'[' + QString::number(s.index) + u']';
        } else {
            if (!out.isEmpty())
                out += u'.';
            out += s.key;
        }
    }
    return out;
}

bool Validator::quietly(int index, const QJsonValue &v) const
{
    Validator quiet(m_doc, nullptr);
    quiet.m_depth = m_depth;
    return quiet.validate(index, v);
}

// "(1) must be a string; (2) must be null": the first reason each alternative gave, for anyOf/oneOf messages.
QString Validator::describeAlternatives(const QList<int> &branches, const QJsonValue &v) const
{
    const QString here = pointer();
    const QString prefix = label() + u": ";
    QStringList parts;
    for (qsizetype b = 0; b < branches.size() && b < 5; ++b) {
        QList<ValidationError> errors;
        Validator loud(m_doc, &errors);
        loud.m_path = m_path;
        loud.m_depth = m_depth;
        if (loud.validate(branches[b], v) || errors.isEmpty())
            continue;
        QString reason = errors.first().message;
        if (errors.first().path == here && reason.startsWith(prefix))
            reason = reason.sliced(prefix.size());
        parts.append(u'(' + QString::number(b + 1) + u") " + reason);
    }
    if (branches.size() > 5)
        parts.append(u"…"_s);
    return parts.join(u"; ");
}

QString typeNames(quint8 types)
{
    QStringList names;
    if (types & TypeObject)
        names.append(u"an object"_s);
    if (types & TypeArray)
        names.append(u"an array"_s);
    if (types & TypeString)
        names.append(u"a string"_s);
    if (types & TypeNumber)
        names.append(u"a number"_s);
    else if (types & TypeInteger)
        names.append(u"an integer"_s);
    if (types & TypeBoolean)
        names.append(u"a boolean"_s);
    if (types & TypeNull)
        names.append(u"null"_s);
    if (names.isEmpty())
        return u"of no type (the type list is empty)"_s;
    if (names.size() == 1)
        return names.first();
    const QString last = names.takeLast();
    return names.join(u", ") + u" or " + last;
}

QString instanceTypeName(const QJsonValue &v, quint8 expected)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        // "must be an integer, not 2.5" says more than "not a number"
        return (expected & TypeInteger) ? numberText(toNumber(v)) : u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

QString enumText(const QJsonArray &values)
{
    constexpr qsizetype kShown = 12;
    QStringList shown;
    for (qsizetype i = 0; i < values.size() && i < kShown; ++i)
        shown.append(jsonText(values.at(i)));
    if (values.size() > kShown)
        shown.append(u"… (" + QString::number(values.size()) + u" values in all)");
    return shown.join(u", ");
}

bool Validator::validate(int index, const QJsonValue &v)
{
    const Node &n = m_doc.nodes[size_t(index)];
    if (n.kind == Node::Kind::AlwaysTrue)
        return true;
    if (n.kind == Node::Kind::AlwaysFalse) {
        report(QLatin1String("false"), [] { return u"no value is allowed here (the schema is false)"_s; });
        return false;
    }
    if (m_depth >= kMaxDepth) {
        report(QLatin1String("depth"),
            []() -> QString { return u"nested too deeply (more than "_s + QString::number(kMaxDepth) + u" levels)"; });
        return false;
    }
    ++m_depth;
    const bool ok = validateNode(n, v);
    --m_depth;
    return ok;
}

bool Validator::validateNode(const Node &n, const QJsonValue &v)
{
    bool ok = true;
    const auto fail = [&](QLatin1String keyword, auto &&message) {
        ok = false;
        return report(keyword, message);
    };
    // Continue after a failed subschema only while collecting errors.
    const auto sub = [&](bool passed) {
        if (!passed)
            ok = false;
        return passed || !stopped();
    };

    // JSON Schema 2020-12 validation §6.1.1. A wrong type makes every other message at this location noise.
    if (n.types && !(typeBits(v) & n.types)) {
        fail(QLatin1String("type"),
            [&]() -> QString { return u"must be "_s + typeNames(n.types) + u", not " + instanceTypeName(v, n.types); });
        return false;
    }

    const bool isString = v.isString();
    QString string;
    if (isString && (n.hasStringChecks || n.hasEnum || n.hasConst))
        string = v.toString();

    // §6.1.2 enum, §6.1.3 const
    if (n.hasEnum) {
        const bool found = isString ? n.enumStrings.contains(string)
                                    : std::any_of(n.enumOthers.cbegin(), n.enumOthers.cend(),
                                        [&](const QJsonValue &e) { return jsonEqual(e, v); });
        if (!found && !fail(QLatin1String("enum"), [&]() -> QString {
                return n.enumValues.isEmpty() ? u"no value is allowed (enum is empty)"_s
                                              : u"must be one of "_s + enumText(n.enumValues);
            }))
            return false;
    }
    if (n.hasConst) {
        const bool equal = isString ? (n.constIsString && string == n.constString) : jsonEqual(n.constValue, v);
        if (!equal && !fail(QLatin1String("const"), [&]() -> QString {
                return u"must be equal to "_s + jsonText(n.constValue);
            }))
            return false;
    }

    // §6.2 numbers
    if (n.hasNumberChecks && v.isDouble()) {
        const Number x = toNumber(v);
        if (n.multipleOf && !isMultipleOf(x, *n.multipleOf) && !fail(QLatin1String("multipleOf"), [&]() -> QString {
                return u"must be a multiple of "_s + numberText(*n.multipleOf);
            }))
            return false;
        if (n.maximum && compareNumbers(x, *n.maximum) > 0 && !fail(QLatin1String("maximum"), [&]() -> QString {
                return u"must be at most "_s + numberText(*n.maximum);
            }))
            return false;
        if (n.exclusiveMaximum && compareNumbers(x, *n.exclusiveMaximum) >= 0
            && !fail(QLatin1String("exclusiveMaximum"),
                [&]() -> QString { return u"must be less than "_s + numberText(*n.exclusiveMaximum); }))
            return false;
        if (n.minimum && compareNumbers(x, *n.minimum) < 0 && !fail(QLatin1String("minimum"), [&]() -> QString {
                return u"must be at least "_s + numberText(*n.minimum);
            }))
            return false;
        if (n.exclusiveMinimum && compareNumbers(x, *n.exclusiveMinimum) <= 0
            && !fail(QLatin1String("exclusiveMinimum"),
                [&]() -> QString { return u"must be greater than "_s + numberText(*n.exclusiveMinimum); }))
            return false;
    }

    // §6.3 strings, §7 format
    if (n.hasStringChecks && isString) {
        if (n.minLength >= 0 || n.maxLength >= 0) {
            const qsizetype length = codePointCount(string);
            if (n.maxLength >= 0 && length > n.maxLength && !fail(QLatin1String("maxLength"), [&]() -> QString {
                    return u"must be at most "_s + plural(n.maxLength, u"character"_s, u"characters"_s) + u" long";
                }))
                return false;
            if (n.minLength >= 0 && length < n.minLength && !fail(QLatin1String("minLength"), [&]() -> QString {
                    return u"must be at least "_s + plural(n.minLength, u"character"_s, u"characters"_s) + u" long";
                }))
                return false;
        }
        // §6.3.3: "not implicitly anchored", so a search, not a full match
        if (n.pattern && !n.pattern->match(string).hasMatch()
            && !fail(QLatin1String("pattern"), [&]() -> QString { return u"must match pattern "_s + n.patternSource; }))
            return false;
        if (n.format != Format::None && !matchesFormat(n.format, string)
            && !fail(QLatin1String("format"), [&]() -> QString { return formatRule(n.format); }))
            return false;
    }

    // §6.4 arrays, core §10.3.1 prefixItems / items
    if (n.hasArrayChecks && v.isArray()) {
        const QJsonArray array = v.toArray();
        const qsizetype size = array.size();
        if (n.maxItems >= 0 && size > n.maxItems && !fail(QLatin1String("maxItems"), [&]() -> QString {
                return u"must contain at most "_s + plural(n.maxItems, u"item"_s, u"items"_s);
            }))
            return false;
        if (n.minItems >= 0 && size < n.minItems && !fail(QLatin1String("minItems"), [&]() -> QString {
                return u"must contain at least "_s + plural(n.minItems, u"item"_s, u"items"_s);
            }))
            return false;
        const qsizetype prefix = std::min(size, n.prefixItems.size());
        for (qsizetype i = 0; i < prefix; ++i) {
            const Step step(this, i);
            const int child = n.prefixItems[i];
            if (m_doc.nodes[size_t(child)].kind == Node::Kind::AlwaysFalse) {
                if (!fail(QLatin1String("prefixItems"), [] { return u"no item is allowed at this position"_s; }))
                    return false;
            } else if (!sub(validate(child, array.at(i)))) {
                return false;
            }
        }
        if (n.items >= 0 && size > n.prefixItems.size()) {
            const Node &itemSchema = m_doc.nodes[size_t(n.items)];
            for (qsizetype i = n.prefixItems.size(); i < size && itemSchema.kind != Node::Kind::AlwaysTrue; ++i) {
                const Step step(this, i);
                if (itemSchema.kind == Node::Kind::AlwaysFalse) {
                    if (!fail(QLatin1String("items"), [&]() -> QString {
                            return n.prefixItems.isEmpty() ? u"unexpected item (the array must be empty)"_s
                                                           : u"unexpected item (at most "_s
                                    + plural(n.prefixItems.size(), u"item is"_s, u"items are"_s) + u" allowed)";
                        }))
                        return false;
                } else if (!sub(validate(n.items, array.at(i)))) {
                    return false;
                }
            }
        }
        if (n.uniqueItems && size > 1) {
            // §6.4.3, with jsonEqual() semantics
            qsizetype first = -1;
            qsizetype second = -1;
            if (size <= 16) {
                for (qsizetype i = 0; i < size && first < 0; ++i) {
                    for (qsizetype j = i + 1; j < size; ++j) {
                        if (jsonEqual(array.at(i), array.at(j))) {
                            first = i;
                            second = j;
                            break;
                        }
                    }
                }
            } else {
                std::vector<std::pair<size_t, qsizetype>> hashes;
                hashes.reserve(size_t(size));
                for (qsizetype i = 0; i < size; ++i)
                    hashes.emplace_back(jsonHash(array.at(i)), i);
                std::sort(hashes.begin(), hashes.end());
                for (size_t a = 0; a < hashes.size(); ++a) {
                    for (size_t b = a + 1; b < hashes.size() && hashes[b].first == hashes[a].first; ++b) {
                        const qsizetype i = hashes[a].second;
                        const qsizetype j = hashes[b].second;
                        if (jsonEqual(array.at(i), array.at(j)) && (first < 0 || std::min(i, j) < first)) {
                            first = std::min(i, j);
                            second = std::max(i, j);
                        }
                    }
                }
            }
            if (first >= 0 && !fail(QLatin1String("uniqueItems"), [&]() -> QString {
                    return u"must not contain duplicates (items ["_s + QString::number(first) + u"] and ["
                        + QString::number(second) + u"] are equal)";
                }))
                return false;
        }
    }

    // §6.5 objects, core §10.3.2 properties / additionalProperties
    if (n.hasObjectChecks && v.isObject()) {
        const QJsonObject object = v.toObject();
        const qsizetype size = object.size();
        if (n.maxProperties >= 0 && size > n.maxProperties && !fail(QLatin1String("maxProperties"), [&]() -> QString {
                return u"must have at most "_s + plural(n.maxProperties, u"property"_s, u"properties"_s);
            }))
            return false;
        if (n.minProperties >= 0 && size < n.minProperties && !fail(QLatin1String("minProperties"), [&]() -> QString {
                return u"must have at least "_s + plural(n.minProperties, u"property"_s, u"properties"_s);
            }))
            return false;
        for (const QString &name : n.required) {
            if (object.contains(name))
                continue;
            const Step step(this, name);
            if (!fail(QLatin1String("required"), [] { return u"required property is missing"_s; }))
                return false;
        }
        qsizetype declaredPresent = 0;
        for (const Property &p : n.properties) {
            const auto it = object.constFind(p.name);
            if (it == object.constEnd())
                continue;
            ++declaredPresent;
            const Node::Kind kind = m_doc.nodes[size_t(p.schema)].kind;
            if (kind == Node::Kind::AlwaysTrue)
                continue;
            const Step step(this, p.name);
            if (kind == Node::Kind::AlwaysFalse) {
                if (!fail(QLatin1String("properties"), [] { return u"property is not allowed"_s; }))
                    return false;
            } else if (!sub(validate(p.schema, it.value()))) {
                return false;
            }
        }
        // Every member was a declared property: nothing is "additional", and no key needs to be read.
        if (n.additionalProperties >= 0 && size > declaredPresent) {
            const Node::Kind kind = m_doc.nodes[size_t(n.additionalProperties)].kind;
            for (auto it = object.constBegin(); it != object.constEnd() && kind != Node::Kind::AlwaysTrue; ++it) {
                const QString key = it.key();
                if (n.propertyIndex.contains(key))
                    continue;
                const Step step(this, key);
                if (kind == Node::Kind::AlwaysFalse) {
                    if (!fail(QLatin1String("additionalProperties"),
                            [] { return u"unknown property (additionalProperties is false)"_s; }))
                        return false;
                } else if (!sub(validate(n.additionalProperties, it.value()))) {
                    return false;
                }
            }
        }
    }

    // Core §8.2.3.1 $ref and §10.2 in-place applicators
    if (n.ref >= 0 && !sub(validate(n.ref, v)))
        return false;
    for (const int child : n.allOf) {
        if (!sub(validate(child, v)))
            return false;
    }
    if (!n.anyOf.isEmpty()) {
        const bool any = std::any_of(n.anyOf.cbegin(), n.anyOf.cend(), [&](int child) { return quietly(child, v); });
        if (!any && !fail(QLatin1String("anyOf"), [&]() -> QString {
                return u"must match at least one alternative of anyOf: "_s + describeAlternatives(n.anyOf, v);
            }))
            return false;
    }
    if (!n.oneOf.isEmpty()) {
        QList<qsizetype> matches;
        for (qsizetype i = 0; i < n.oneOf.size() && matches.size() < 2; ++i) {
            if (quietly(n.oneOf[i], v))
                matches.append(i);
        }
        if (matches.isEmpty()) {
            if (!fail(QLatin1String("oneOf"), [&]() -> QString {
                    return u"must match exactly one alternative of oneOf, but matches none: "_s
                        + describeAlternatives(n.oneOf, v);
                }))
                return false;
        } else if (matches.size() > 1) {
            if (!fail(QLatin1String("oneOf"), [&]() -> QString {
                    return u"must match exactly one alternative of oneOf, but matches alternatives "_s
                        + QString::number(matches[0] + 1) + u" and " + QString::number(matches[1] + 1);
                }))
                return false;
        }
    }
    if (n.notSchema >= 0 && quietly(n.notSchema, v)
        && !fail(QLatin1String("not"), [] { return u"must not match the schema in \"not\""_s; }))
        return false;
    return ok;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation

enum class Keyword {
    Type,
    Enum,
    Const,
    MultipleOf,
    Maximum,
    ExclusiveMaximum,
    Minimum,
    ExclusiveMinimum,
    MaxLength,
    MinLength,
    Pattern,
    Format,
    PrefixItems,
    Items,
    MaxItems,
    MinItems,
    UniqueItems,
    Properties,
    Required,
    AdditionalProperties,
    MaxProperties,
    MinProperties,
    AllOf,
    AnyOf,
    OneOf,
    Not,
    Defs,
    Ref,
    Schema,
    Id,
    Comment,
    StringAnnotation,
    BoolAnnotation,
    ArrayAnnotation,
    AnyAnnotation,
};

struct KeywordName
{
    QLatin1String name;
    Keyword keyword;
};

// The whole vocabulary we accept. Everything else (patternProperties, propertyNames, dependent*, contains,
// if/then/else, unevaluated*, $anchor, $dynamicRef, ...) is refused at compile time rather than ignored.
constexpr KeywordName kKeywords[] = {
    { QLatin1String("type"), Keyword::Type },
    { QLatin1String("enum"), Keyword::Enum },
    { QLatin1String("const"), Keyword::Const },
    { QLatin1String("multipleOf"), Keyword::MultipleOf },
    { QLatin1String("maximum"), Keyword::Maximum },
    { QLatin1String("exclusiveMaximum"), Keyword::ExclusiveMaximum },
    { QLatin1String("minimum"), Keyword::Minimum },
    { QLatin1String("exclusiveMinimum"), Keyword::ExclusiveMinimum },
    { QLatin1String("maxLength"), Keyword::MaxLength },
    { QLatin1String("minLength"), Keyword::MinLength },
    { QLatin1String("pattern"), Keyword::Pattern },
    { QLatin1String("format"), Keyword::Format },
    { QLatin1String("prefixItems"), Keyword::PrefixItems },
    { QLatin1String("items"), Keyword::Items },
    { QLatin1String("maxItems"), Keyword::MaxItems },
    { QLatin1String("minItems"), Keyword::MinItems },
    { QLatin1String("uniqueItems"), Keyword::UniqueItems },
    { QLatin1String("properties"), Keyword::Properties },
    { QLatin1String("required"), Keyword::Required },
    { QLatin1String("additionalProperties"), Keyword::AdditionalProperties },
    { QLatin1String("maxProperties"), Keyword::MaxProperties },
    { QLatin1String("minProperties"), Keyword::MinProperties },
    { QLatin1String("allOf"), Keyword::AllOf },
    { QLatin1String("anyOf"), Keyword::AnyOf },
    { QLatin1String("oneOf"), Keyword::OneOf },
    { QLatin1String("not"), Keyword::Not },
    { QLatin1String("$defs"), Keyword::Defs },
    { QLatin1String("$ref"), Keyword::Ref },
    { QLatin1String("$schema"), Keyword::Schema },
    { QLatin1String("$id"), Keyword::Id },
    { QLatin1String("$comment"), Keyword::Comment },
    { QLatin1String("title"), Keyword::StringAnnotation }, // validation §9 meta-data
    { QLatin1String("description"), Keyword::StringAnnotation },
    { QLatin1String("default"), Keyword::AnyAnnotation },
    { QLatin1String("examples"), Keyword::ArrayAnnotation },
    { QLatin1String("deprecated"), Keyword::BoolAnnotation },
    { QLatin1String("readOnly"), Keyword::BoolAnnotation },
    { QLatin1String("writeOnly"), Keyword::BoolAnnotation },
};

constexpr QLatin1String kDialect("https://json-schema.org/draft/2020-12/schema");

QString escapeToken(QString token)
{
    return token.replace(u'~', u"~0"_s).replace(u'/', u"~1"_s);
}

class Compiler
{
public:
    Compiler(const QJsonValue &root, const JsonSchemaOptions &options, SchemaDocument &doc)
        : m_root(root)
        , m_options(options)
        , m_doc(doc)
    { }

    bool run();
    const QString &error() const { return m_error; }

private:
    int compileSchema(const QJsonValue &schema, const QString &pointer);
    bool compileKeyword(
        Node &node, int index, Keyword keyword, const QString &key, const QJsonValue &value, const QString &pointer);
    int resolveRef(const QString &ref, const QString &pointer);
    bool schemaList(const QJsonValue &value, const QString &pointer, const QString &key, QList<int> *out);
    bool nonNegativeInteger(const QJsonValue &value, const QString &pointer, const QString &key, qint64 *out);
    bool number(const QJsonValue &value, const QString &pointer, const QString &key, std::optional<Number> *out);
    bool hasInPlaceCycle();
    bool checkDefaults();
    bool fail(const QString &pointer, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = u'#' + pointer + u": " + message;
        return false;
    }

    struct PendingRef
    {
        int node;
        QString ref;
        QString pointer;
    };

    QJsonValue m_root;
    JsonSchemaOptions m_options;
    SchemaDocument &m_doc;
    QHash<QString, int> m_byPointer;
    QStringList m_pointers; // node index -> schema location, for messages
    QList<PendingRef> m_pendingRefs;
    QString m_error;
};

bool Compiler::run()
{
    m_doc.root = compileSchema(m_root, QString());
    if (m_doc.root < 0)
        return false;
    while (!m_pendingRefs.isEmpty()) {
        const PendingRef pending = m_pendingRefs.takeLast();
        const int target = resolveRef(pending.ref, pending.pointer);
        if (target < 0)
            return false;
        m_doc.nodes[size_t(pending.node)].ref = target;
    }
    for (Node &n : m_doc.nodes) {
        // An object schema with nothing to check (only annotations) accepts everything; say so once here so
        // validation skips it, and so `{}` under additionalProperties costs nothing.
        if (n.kind == Node::Kind::Normal && !n.types && !n.hasEnum && !n.hasConst && !n.hasNumberChecks
            && !n.hasStringChecks && !n.hasArrayChecks && !n.hasObjectChecks && n.ref < 0 && n.allOf.isEmpty()
            && n.anyOf.isEmpty() && n.oneOf.isEmpty() && n.notSchema < 0)
            n.kind = Node::Kind::AlwaysTrue;
    }
    return !hasInPlaceCycle() && checkDefaults();
}

int Compiler::compileSchema(const QJsonValue &schema, const QString &pointer)
{
    if (const auto it = m_byPointer.constFind(pointer); it != m_byPointer.constEnd())
        return *it;
    const int index = int(m_doc.nodes.size());
    m_doc.nodes.emplace_back();
    m_pointers.append(pointer);
    m_byPointer.insert(pointer, index);

    // Core §4.3.2: true and false are schemas
    if (schema.isBool()) {
        m_doc.nodes.back().kind = schema.toBool() ? Node::Kind::AlwaysTrue : Node::Kind::AlwaysFalse;
        return index;
    }
    if (!schema.isObject()) {
        fail(pointer, u"a schema must be an object or a boolean"_s);
        return -1;
    }
    Node node; // built aside: compiling children grows m_doc.nodes and would invalidate a reference
    const QJsonObject object = schema.toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        const auto known = std::find_if(
            std::begin(kKeywords), std::end(kKeywords), [&](const KeywordName &k) { return k.name == key; });
        if (known == std::end(kKeywords)) {
            fail(pointer, u"unsupported keyword \""_s + key + u"\" (this validator refuses keywords it would ignore)");
            return -1;
        }
        if (!compileKeyword(node, index, known->keyword, key, it.value(), pointer))
            return -1;
    }
    node.hasNumberChecks
        = node.minimum || node.maximum || node.exclusiveMinimum || node.exclusiveMaximum || node.multipleOf;
    node.hasStringChecks = node.minLength >= 0 || node.maxLength >= 0 || node.pattern || node.format != Format::None;
    node.hasArrayChecks = !node.prefixItems.isEmpty() || node.items >= 0 || node.minItems >= 0 || node.maxItems >= 0
        || node.uniqueItems;
    node.hasObjectChecks = !node.properties.isEmpty() || !node.required.isEmpty() || node.additionalProperties >= 0
        || node.minProperties >= 0 || node.maxProperties >= 0;
    m_doc.nodes[size_t(index)] = std::move(node);
    return index;
}

bool Compiler::schemaList(const QJsonValue &value, const QString &pointer, const QString &key, QList<int> *out)
{
    // Core §10.2.1 (allOf/anyOf/oneOf) and §10.3.1.1 (prefixItems): a non-empty array of schemas
    if (!value.isArray() || value.toArray().isEmpty())
        return fail(pointer, u'"' + key + u"\" must be a non-empty array of schemas");
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const int child = compileSchema(array.at(i), pointer + u'/' + key + u'/' + QString::number(i));
        if (child < 0)
            return false;
        out->append(child);
    }
    return true;
}

bool Compiler::nonNegativeInteger(const QJsonValue &value, const QString &pointer, const QString &key, qint64 *out)
{
    // Validation §6.3.1 etc.: "a non-negative integer" (2.0 counts)
    const Number n = toNumber(value);
    if (!value.isDouble() || !n.isInt || n.i < 0)
        return fail(pointer, u'"' + key + u"\" must be a non-negative integer");
    *out = n.i;
    return true;
}

bool Compiler::number(const QJsonValue &value, const QString &pointer, const QString &key, std::optional<Number> *out)
{
    if (!value.isDouble())
        return fail(pointer, u'"' + key + u"\" must be a number");
    *out = toNumber(value);
    return true;
}

bool Compiler::compileKeyword(
    Node &node, int index, Keyword keyword, const QString &key, const QJsonValue &value, const QString &pointer)
{
    const QString here = pointer + u'/' + escapeToken(key);
    switch (keyword) {
    case Keyword::Type: {
        // Validation §6.1.1: a type name or an array of unique type names
        static const QHash<QString, quint8> names = {
            { u"null"_s, TypeNull },
            { u"boolean"_s, TypeBoolean },
            { u"object"_s, TypeObject },
            { u"array"_s, TypeArray },
            { u"number"_s, TypeNumber },
            { u"string"_s, TypeString },
            { u"integer"_s, TypeInteger },
        };
        const QJsonArray list = value.isArray() ? value.toArray() : QJsonArray { value };
        for (const QJsonValue &item : list) {
            const quint8 bit = names.value(item.toString(), 0);
            if (!item.isString() || !bit)
                return fail(pointer,
                    u"\"type\" must name JSON types (null, boolean, object, array, number, string, "_s
                    u"integer), got "
                        + jsonText(item));
            if (node.types & bit)
                return fail(pointer, u"\"type\" lists "_s + item.toString() + u" twice");
            node.types |= bit;
        }
        if (list.isEmpty())
            return fail(pointer, u"\"type\" must not be an empty array"_s);
        return true;
    }
    case Keyword::Enum: {
        if (!value.isArray())
            return fail(pointer, u"\"enum\" must be an array"_s);
        node.hasEnum = true;
        node.enumValues = value.toArray();
        for (const QJsonValue &item : node.enumValues) {
            if (item.isString())
                node.enumStrings.append(item.toString());
            else
                node.enumOthers.append(item);
        }
        return true;
    }
    case Keyword::Const:
        node.hasConst = true;
        node.constValue = value;
        node.constIsString = value.isString();
        node.constString = value.toString();
        return true;
    case Keyword::MultipleOf:
        if (!number(value, pointer, key, &node.multipleOf))
            return false;
        if (node.multipleOf->d <= 0) // validation §6.2.1: strictly greater than 0
            return fail(pointer, u"\"multipleOf\" must be greater than 0"_s);
        return true;
    case Keyword::Maximum:
        return number(value, pointer, key, &node.maximum);
    case Keyword::ExclusiveMaximum:
        return number(value, pointer, key, &node.exclusiveMaximum);
    case Keyword::Minimum:
        return number(value, pointer, key, &node.minimum);
    case Keyword::ExclusiveMinimum:
        return number(value, pointer, key, &node.exclusiveMinimum);
    case Keyword::MaxLength:
        return nonNegativeInteger(value, pointer, key, &node.maxLength);
    case Keyword::MinLength:
        return nonNegativeInteger(value, pointer, key, &node.minLength);
    case Keyword::Pattern: {
        if (!value.isString())
            return fail(pointer, u"\"pattern\" must be a string"_s);
        QString why;
        const std::optional<QString> pcre = ecmaToPcre(value.toString(), &why);
        if (!pcre)
            return fail(pointer, u"\"pattern\" is not a valid regular expression: "_s + why);
        QRegularExpression re(*pcre);
        if (!re.isValid())
            return fail(pointer, u"\"pattern\" is not a valid regular expression: "_s + re.errorString());
        re.optimize(); // compile (and JIT) now, not on the first tools/call
        node.pattern = std::move(re);
        node.patternSource = value.toString();
        return true;
    }
    case Keyword::Format: {
        if (!value.isString())
            return fail(pointer, u"\"format\" must be a string"_s);
        if (!m_options.assertFormats)
            return true; // validation §7.2.1: an annotation only
        static const QHash<QString, Format> formats = {
            { u"date"_s, Format::Date },
            { u"time"_s, Format::Time },
            { u"date-time"_s, Format::DateTime },
            { u"email"_s, Format::Email },
            { u"uri"_s, Format::Uri },
        };
        // Validation §7.2.3: with format assertion on, an unknown format must fail rather than pass everything.
        node.format = formats.value(value.toString(), Format::None);
        if (node.format == Format::None)
            return fail(pointer,
                u"unknown format \""_s + value.toString()
                    + u"\" (asserted formats: date, time, date-time, email, uri; compile with assertFormats off to "
                      u"treat formats as annotations)");
        return true;
    }
    case Keyword::PrefixItems:
        return schemaList(value, pointer, key, &node.prefixItems);
    case Keyword::Items:
        if (value.isArray()) // the draft 4-2019 tuple form changed meaning in 2020-12 (core §10.3.1.2)
            return fail(
                pointer, u"\"items\" must be a schema; use \"prefixItems\" for a tuple (JSON Schema 2020-12)"_s);
        node.items = compileSchema(value, here);
        return node.items >= 0;
    case Keyword::MaxItems:
        return nonNegativeInteger(value, pointer, key, &node.maxItems);
    case Keyword::MinItems:
        return nonNegativeInteger(value, pointer, key, &node.minItems);
    case Keyword::UniqueItems:
        if (!value.isBool())
            return fail(pointer, u"\"uniqueItems\" must be a boolean"_s);
        node.uniqueItems = value.toBool();
        return true;
    case Keyword::Properties: {
        if (!value.isObject())
            return fail(pointer, u"\"properties\" must be an object of schemas"_s);
        const QJsonObject properties = value.toObject();
        for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
            const int child = compileSchema(it.value(), here + u'/' + escapeToken(it.key()));
            if (child < 0)
                return false;
            node.propertyIndex.insert(it.key(), child);
            node.properties.append({ it.key(), child });
        }
        return true;
    }
    case Keyword::Required: {
        // Validation §6.5.3: an array of unique strings
        if (!value.isArray())
            return fail(pointer, u"\"required\" must be an array of strings"_s);
        for (const QJsonValue &item : value.toArray()) {
            if (!item.isString())
                return fail(pointer, u"\"required\" must be an array of strings"_s);
            if (node.required.contains(item.toString()))
                return fail(pointer, u"\"required\" lists \""_s + item.toString() + u"\" twice");
            node.required.append(item.toString());
        }
        return true;
    }
    case Keyword::AdditionalProperties:
        node.additionalProperties = compileSchema(value, here);
        return node.additionalProperties >= 0;
    case Keyword::MaxProperties:
        return nonNegativeInteger(value, pointer, key, &node.maxProperties);
    case Keyword::MinProperties:
        return nonNegativeInteger(value, pointer, key, &node.minProperties);
    case Keyword::AllOf:
        return schemaList(value, pointer, key, &node.allOf);
    case Keyword::AnyOf:
        return schemaList(value, pointer, key, &node.anyOf);
    case Keyword::OneOf:
        return schemaList(value, pointer, key, &node.oneOf);
    case Keyword::Not:
        node.notSchema = compileSchema(value, here);
        return node.notSchema >= 0;
    case Keyword::Defs: {
        // Core §8.2.4: compiled (and so checked) even when nothing refers to them
        if (!value.isObject())
            return fail(pointer, u"\"$defs\" must be an object of schemas"_s);
        const QJsonObject defs = value.toObject();
        for (auto it = defs.constBegin(); it != defs.constEnd(); ++it) {
            if (compileSchema(it.value(), here + u'/' + escapeToken(it.key())) < 0)
                return false;
        }
        return true;
    }
    case Keyword::Ref:
        if (!value.isString())
            return fail(pointer, u"\"$ref\" must be a string"_s);
        // Resolved once the whole tree is compiled, so a reference may point forwards, backwards or at "#".
        m_pendingRefs.append({ index, value.toString(), pointer });
        return true;
    case Keyword::Schema: {
        // Core §8.1.1: we implement one dialect; another one's keywords would mean something else
        const QString dialect = value.toString();
        if (!value.isString() || (dialect != kDialect && dialect != QString(kDialect) + u"#"))
            return fail(pointer,
                u"\"$schema\" must be \""_s + kDialect + u"\" (the only dialect supported), got " + jsonText(value));
        return true;
    }
    case Keyword::Id:
        // Core §8.2.1: an $id below the root starts an embedded resource with its own base URI, which local
        // "#/..." references would then have to honour; we do not resolve URIs, so refuse rather than guess.
        if (!value.isString())
            return fail(pointer, u"\"$id\" must be a string"_s);
        if (!pointer.isEmpty())
            return fail(pointer, u"\"$id\" is only supported on the root schema (embedded resources are not)"_s);
        if (const qsizetype hash = value.toString().indexOf(u'#'); hash >= 0 && hash != value.toString().size() - 1)
            return fail(pointer, u"\"$id\" must not contain a fragment"_s);
        return true;
    case Keyword::Comment:
    case Keyword::StringAnnotation:
        if (!value.isString())
            return fail(pointer, u'"' + key + u"\" must be a string");
        return true;
    case Keyword::BoolAnnotation:
        if (!value.isBool())
            return fail(pointer, u'"' + key + u"\" must be a boolean");
        return true;
    case Keyword::ArrayAnnotation:
        if (!value.isArray())
            return fail(pointer, u'"' + key + u"\" must be an array");
        return true;
    case Keyword::AnyAnnotation:
        return true;
    }
    return true;
}

int Compiler::resolveRef(const QString &ref, const QString &pointer)
{
    // Core §8.2.3.1: $ref is a URI reference. We resolve only fragments of this document: "#" and JSON Pointers
    // (RFC 6901 §6, percent-decoded as a URI fragment).
    if (!ref.startsWith(u'#')) {
        fail(pointer,
            u"$ref \""_s + ref + u"\" is not supported: only references within this schema (\"#\" or \"#/...\") are");
        return -1;
    }
    const QString fragment = QString::fromUtf8(QByteArray::fromPercentEncoding(ref.sliced(1).toUtf8()));
    if (!fragment.isEmpty() && !fragment.startsWith(u'/')) {
        fail(pointer, u"$ref \""_s + ref + u"\" names an anchor; $anchor is not supported, use a JSON Pointer"_s);
        return -1;
    }
    if (const auto it = m_byPointer.constFind(fragment); it != m_byPointer.constEnd())
        return *it;
    QJsonValue target = m_root;
    const QStringList tokens = fragment.split(u'/').sliced(1);
    for (const QString &escaped : tokens) {
        for (qsizetype i = 0; i < escaped.size(); ++i) {
            if (escaped[i] == u'~' && (i + 1 == escaped.size() || (escaped[i + 1] != u'0' && escaped[i + 1] != u'1'))) {
                fail(pointer, u"$ref \""_s + ref + u"\" is not a valid JSON Pointer (RFC 6901 §3)");
                return -1;
            }
        }
        QString token = escaped;
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s); // RFC 6901 §4: in this order
        bool isIndex = false;
        const qsizetype index = token.toLongLong(&isIndex);
        if (target.isObject() && target.toObject().contains(token)) {
            target = target.toObject().value(token);
        } else if (target.isArray() && isIndex && index >= 0 && index < target.toArray().size()
            && (token == u"0"_s || !token.startsWith(u'0'))) {
            target = target.toArray().at(index);
        } else {
            fail(pointer, u"$ref \""_s + ref + u"\" points at nothing in this schema");
            return -1;
        }
    }
    return compileSchema(target, fragment);
}

// A $ref/allOf/anyOf/oneOf/not chain that comes back to where it started without stepping into the instance would
// recurse forever on any value; refuse it here (the test suite's infinite-loop-detection asks the same). A depth-first
// search with a stack of its own: a chain of $defs that refer to each other is as long as the schema is large, and
// must not exhaust the thread's stack (found by tests/fuzz/fuzz_jsonschema).
bool Compiler::hasInPlaceCycle()
{
    enum : quint8 { Unvisited, InProgress, Done };
    std::vector<quint8> state(m_doc.nodes.size(), Unvisited);
    const auto inPlace = [this](int index) {
        const Node &n = m_doc.nodes[size_t(index)];
        QList<int> next = n.allOf + n.anyOf + n.oneOf;
        if (n.ref >= 0)
            next.append(n.ref);
        if (n.notSchema >= 0)
            next.append(n.notSchema);
        return next;
    };
    struct Frame
    {
        int node;
        QList<int> next;
        qsizetype done = 0;
    };
    std::vector<Frame> path;
    for (int start = 0; start < int(m_doc.nodes.size()); ++start) {
        if (state[size_t(start)] != Unvisited)
            continue;
        state[size_t(start)] = InProgress;
        path.push_back({ start, inPlace(start) });
        while (!path.empty()) {
            Frame &top = path.back();
            if (top.done == top.next.size()) {
                state[size_t(top.node)] = Done;
                path.pop_back();
                continue;
            }
            const int child = top.next.at(top.done++);
            if (state[size_t(child)] == Done)
                continue;
            if (state[size_t(child)] == InProgress)
                return !fail(m_pointers[child],
                    u"$ref cycle: this schema refers back to itself without descending into "_s
                    u"the value, so validation would never end");
            state[size_t(child)] = InProgress;
            path.push_back({ child, inPlace(child) });
        }
    }
    return false;
}

bool Compiler::checkDefaults()
{
    const QJsonObject properties = m_root.toObject().value(QLatin1String("properties")).toObject();
    const Node &root = m_doc.nodes[size_t(m_doc.root)];
    for (const Property &p : root.properties) {
        const QJsonObject schema = properties.value(p.name).toObject();
        const auto it = schema.constFind(QLatin1String("default"));
        if (it == schema.constEnd())
            continue;
        QList<ValidationError> errors;
        Validator validator(m_doc, &errors);
        if (!validator.validate(p.schema, it.value())) {
            QString reason = errors.isEmpty() ? QString() : errors.first().message;
            if (reason.startsWith(u"(root): "_s))
                reason = reason.sliced(8);
            return fail(u"/properties/"_s + escapeToken(p.name),
                u"the default "_s + jsonText(it.value()) + u" breaks the property's own schema: " + reason);
        }
        m_doc.defaults.append({ p.name, it.value() });
    }
    return true;
}

} // namespace
} // namespace Detail

QString ValidationResult::toString() const
{
    QStringList messages;
    messages.reserve(errors.size());
    for (const ValidationError &e : errors)
        messages.append(e.message);
    return messages.join(u"; ");
}

JsonSchema::JsonSchema() = default;

JsonSchema::JsonSchema(std::shared_ptr<const Detail::SchemaDocument> document)
    : d(std::move(document))
{ }

JsonSchema JsonSchema::compile(const QJsonValue &schema, QString *error, const JsonSchemaOptions &options)
{
    auto document = std::make_shared<Detail::SchemaDocument>();
    Detail::Compiler compiler(schema, options, *document);
    if (!compiler.run()) {
        if (error)
            *error = compiler.error();
        return {};
    }
    if (error)
        error->clear();
    return JsonSchema(std::move(document));
}

ValidationResult JsonSchema::validate(const QJsonValue &instance) const
{
    ValidationResult result;
    if (!d) {
        result.errors.append(
            { QString(), u"$schema"_s, u"(root): the schema did not compile, so no value is accepted"_s });
        return result;
    }
    // The quiet pass is the common case and allocates nothing; only a failing call pays for paths and messages.
    if (Detail::Validator(*d, nullptr).validate(d->root, instance))
        return result;
    Detail::Validator(*d, &result.errors).validate(d->root, instance);
    return result;
}

bool JsonSchema::accepts(const QJsonValue &instance) const
{
    return d && Detail::Validator(*d, nullptr).validate(d->root, instance);
}

QJsonObject JsonSchema::applyDefaults(const QJsonObject &arguments) const
{
    if (!d || d->defaults.isEmpty())
        return arguments;
    QJsonObject result = arguments;
    for (const auto &[name, value] : d->defaults) {
        if (!result.contains(name))
            result.insert(name, value);
    }
    return result;
}

} // namespace Mcp
