// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include <QString>

namespace Core {

enum class ErrorCode {
    InvalidArgument, // the caller's data broke a rule; `field` names it
    NotFound, // no such record (or it is soft-deleted)
    Conflict, // optimistic concurrency: the record changed since it was read
    AlreadyExists, // a unique key is taken
    Unsupported, // e.g. a database schema newer than this build
    Storage, // the database failed for a reason that is not the caller's
    Cancelled,
};

// What went wrong, in words a CSM (or an agent) can act on. `field` is the snake_case name used by the schema,
// the MCP tool arguments and CSV headers, so every face reports the same name.
struct Error {
    ErrorCode code = ErrorCode::Storage;
    QString field;
    QString message;

    static Error invalid(const QString &field, const QString &message)
    {
        return { ErrorCode::InvalidArgument, field, message };
    }
    static Error notFound(const QString &field, const QString &message) { return { ErrorCode::NotFound, field, message }; }
    static Error conflict(const QString &field, const QString &message) { return { ErrorCode::Conflict, field, message }; }
    static Error storage(const QString &message) { return { ErrorCode::Storage, {}, message }; }

    // "field: message", or the message alone when no field is at fault.
    QString toString() const { return field.isEmpty() ? message : field + u": " + message; }
    static QString codeName(ErrorCode code);
};

// A value or an Error. Deliberately small: C++23's std::expected is not available with our toolchain flags.
template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : m_state(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_state); }
    T &value() & { return std::get<0>(m_state); }
    T &&value() && { return std::get<0>(std::move(m_state)); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }

    const Error &error() const { return std::get<1>(m_state); }

private:
    std::variant<T, Error> m_state;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    {
    }
    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace Core
