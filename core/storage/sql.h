// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QSqlError>
#include <QSqlQuery>
#include <QVariantList>

#include "database.h"
#include "error.h"

namespace Storage {

// Turns a driver error into an Error that names the field where the database tells us which one
// (CHECK / NOT NULL / UNIQUE / FOREIGN KEY violations) so that a constraint caught only by the schema
// still reads like a validation message.
Core::Error errorFromSql(const QSqlError &error, const QString &context = {});

// Prepares and runs `sql` with positional `?` bindings on the calling thread's connection.
Core::Result<QSqlQuery> exec(const Database &db, const QString &sql, const QVariantList &bindings = {});

// Placeholder-syntax helpers for the few statements that differ between the dialects.
QString nowExpression(Dialect dialect);

} // namespace Storage
