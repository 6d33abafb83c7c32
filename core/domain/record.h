// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDateTime>

namespace Domain {

// Bookkeeping every stored record carries. The repository owns these fields: callers read them, and pass
// `version` back unchanged on update so a concurrent edit is detected (DESIGN.md §3, optimistic concurrency).
struct RecordMeta {
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime deletedAt; // invalid while the record is live (soft delete)
    int version = 0; // 0 = never stored

    bool isDeleted() const { return deletedAt.isValid(); }
};

} // namespace Domain
