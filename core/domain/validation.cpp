// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "validation.h"

#include <cmath>

#include <QRegularExpression>
#include <QTimeZone>

namespace Domain {

using namespace Qt::StringLiterals;

namespace {
const QRegularExpression &customerIdPattern()
{
    static const QRegularExpression re(u"^[a-zA-Z0-9_-]{1,100}$"_s);
    return re;
}

// A pragmatic subset of RFC 5321 §4.1.2: local@domain, a dot-atom local part, a domain of LDH labels with a dot.
const QRegularExpression &emailPattern()
{
    static const QRegularExpression re(
        u"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
        u"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"_s);
    return re;
}

const QRegularExpression &domainPattern()
{
    static const QRegularExpression re(u"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$"_s);
    return re;
}
} // namespace

bool isValidCustomerId(QStringView id)
{
    return customerIdPattern().match(id).hasMatch();
}

bool isValidEmail(QStringView email)
{
    return email.size() <= 254 && emailPattern().match(email).hasMatch();
}

bool isValidCurrency(QStringView code)
{
    if (code.size() != 3)
        return false;
    for (QChar c : code) {
        if (c < u'A' || c > u'Z')
            return false;
    }
    return true;
}

std::optional<QDate> parseIsoDate(QStringView text)
{
    if (text.size() != 10 || text[4] != u'-' || text[7] != u'-')
        return std::nullopt;
    const QDate date = QDate::fromString(text.toString(), Qt::ISODate);
    if (!date.isValid())
        return std::nullopt;
    return date;
}

std::optional<QDateTime> parseIsoDateTime(QStringView text)
{
    // RFC 3339 §5.6 requires a zone; a bare local time is ambiguous for a portfolio shared across time zones.
    if (text.size() < 20 || (text[10] != u'T' && text[10] != u't' && text[10] != u' '))
        return std::nullopt;
    const QChar last = text.back();
    const bool hasZone = last == u'Z' || last == u'z' || (text.size() >= 6 && (text[text.size() - 6] == u'+' || text[text.size() - 6] == u'-'));
    if (!hasZone)
        return std::nullopt;
    QString normalised = text.toString();
    normalised[10] = u'T';
    if (normalised.back() == u'z')
        normalised.back() = u'Z';
    const QDateTime dt = QDateTime::fromString(normalised, Qt::ISODateWithMs);
    if (!dt.isValid())
        return std::nullopt;
    return dt.toUTC();
}

Validator &Validator::required(const QString &field, const QString &value)
{
    if (!m_error && value.trimmed().isEmpty())
        fail(field, QStringLiteral("is required"));
    return *this;
}

Validator &Validator::maxLength(const QString &field, const QString &value, int max)
{
    if (!m_error && value.size() > max)
        fail(field, QStringLiteral("must be at most %1 characters").arg(max));
    return *this;
}

Validator &Validator::customerId(const QString &field, const QString &value)
{
    if (!m_error && !isValidCustomerId(value))
        fail(field, QStringLiteral("must match ^[a-zA-Z0-9_-]{1,100}$"));
    return *this;
}

Validator &Validator::email(const QString &field, const QString &value, bool required)
{
    if (m_error)
        return *this;
    if (value.isEmpty()) {
        if (required)
            fail(field, QStringLiteral("is required"));
    } else if (!isValidEmail(value)) {
        fail(field, QStringLiteral("is not a valid email address"));
    }
    return *this;
}

Validator &Validator::currency(const QString &field, const QString &value)
{
    if (!m_error && !isValidCurrency(value))
        fail(field, QStringLiteral("must be a three-letter ISO 4217 code such as USD"));
    return *this;
}

Validator &Validator::domainName(const QString &field, const QString &value)
{
    if (!m_error && !value.isEmpty() && !domainPattern().match(value).hasMatch())
        fail(field, QStringLiteral("is not a valid domain name"));
    return *this;
}

Validator &Validator::range(const QString &field, double value, double min, double max)
{
    if (!m_error && (!std::isfinite(value) || value < min || value > max))
        fail(field, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
    return *this;
}

Validator &Validator::range(const QString &field, const std::optional<double> &value, double min, double max)
{
    if (value)
        range(field, *value, min, max);
    return *this;
}

Validator &Validator::positiveId(const QString &field, qint64 id)
{
    if (!m_error && id <= 0)
        fail(field, QStringLiteral("must reference an existing record"));
    return *this;
}

Validator &Validator::dateOrder(const QString &laterField, const QDate &earlier, const QDate &later, bool strictly)
{
    if (!m_error && earlier.isValid() && later.isValid() && (strictly ? later <= earlier : later < earlier))
        fail(laterField, strictly ? QStringLiteral("must be after %1").arg(earlier.toString(Qt::ISODate))
                                  : QStringLiteral("must not be before %1").arg(earlier.toString(Qt::ISODate)));
    return *this;
}

Validator &Validator::check(bool ok, const QString &field, const QString &message)
{
    if (!m_error && !ok)
        fail(field, message);
    return *this;
}

Core::Status Validator::result() const
{
    if (m_error)
        return *m_error;
    return {};
}

void Validator::fail(const QString &field, const QString &message)
{
    m_error = Core::Error::invalid(field, message);
}

} // namespace Domain
