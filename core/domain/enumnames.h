// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include <QString>
#include <QStringList>

namespace Domain {

// Each domain enum specialises EnumNames with its snake_case spellings: the same words the schema's CHECK
// constraints, CSV files and MCP tool arguments use, so the three can never disagree.
template<typename E>
struct EnumNames;

template<typename E>
QString enumName(E value)
{
    for (const auto &[v, name] : EnumNames<E>::values) {
        if (v == value)
            return QString::fromLatin1(name.data(), qsizetype(name.size()));
    }
    return {};
}

template<typename E>
bool isKnown(E value)
{
    for (const auto &entry : EnumNames<E>::values) {
        if (entry.first == value)
            return true;
    }
    return false;
}

template<typename E>
std::optional<E> enumFromString(QStringView text)
{
    for (const auto &[v, name] : EnumNames<E>::values) {
        if (text == QLatin1String(name.data(), qsizetype(name.size())))
            return v;
    }
    return std::nullopt;
}

template<typename E>
QStringList enumValues()
{
    QStringList names;
    for (const auto &entry : EnumNames<E>::values)
        names << QString::fromLatin1(entry.second.data(), qsizetype(entry.second.size()));
    return names;
}

} // namespace Domain

// Declares the spellings of one enum: CS_ENUM_NAMES(Tier, { Tier::Smb, "smb" }, ...).
#define CS_ENUM_NAMES(Enum, ...)                                                                                   \
    template<>                                                                                                     \
    struct EnumNames<Enum> {                                                                                       \
        static constexpr std::pair<Enum, std::string_view> values[] = { __VA_ARGS__ };                            \
    }
