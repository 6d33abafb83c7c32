// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QDate>
#include <QString>
#include <QVariant>

#include "enumnames.h"
#include "error.h"

namespace Domain {

// Collects the first broken rule of a record, naming the field. Value types use it in their validate():
//     Validator v;
//     v.customerId(u"id"_s, id).required(u"name"_s, name).range(u"arr"_s, arr, 0, 1e12);
//     return v.result();
class Validator {
public:
    Validator &required(const QString &field, const QString &value);
    Validator &maxLength(const QString &field, const QString &value, int max);
    Validator &customerId(const QString &field, const QString &value);
    Validator &email(const QString &field, const QString &value, bool required = false);
    Validator &currency(const QString &field, const QString &value);
    Validator &domainName(const QString &field, const QString &value);
    Validator &range(const QString &field, double value, double min, double max);
    Validator &range(const QString &field, const std::optional<double> &value, double min, double max);
    Validator &positiveId(const QString &field, qint64 id);
    Validator &dateOrder(const QString &laterField, const QDate &earlier, const QDate &later, bool strictly = true);
    Validator &check(bool ok, const QString &field, const QString &message);

    template<typename E>
    Validator &enumValue(const QString &field, E value)
    {
        if (!m_error && !isKnown(value))
            fail(field, QStringLiteral("is not one of ") + enumValues<E>().join(u", "));
        return *this;
    }

    bool ok() const { return !m_error.has_value(); }
    Core::Status result() const;

private:
    void fail(const QString &field, const QString &message);
    std::optional<Core::Error> m_error;
};

// Shared rules, also used where text arrives from outside (CSV, MCP arguments).
bool isValidCustomerId(QStringView id);
bool isValidEmail(QStringView email);
bool isValidCurrency(QStringView code);
// ISO 8601 calendar date (yyyy-MM-dd) that exists in the calendar.
std::optional<QDate> parseIsoDate(QStringView text);
// ISO 8601 / RFC 3339 timestamp with a zone (Z or ±hh:mm); returned in UTC.
std::optional<QDateTime> parseIsoDateTime(QStringView text);

} // namespace Domain
