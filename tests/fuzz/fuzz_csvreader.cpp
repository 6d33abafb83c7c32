// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// libFuzzer target for Core::CsvReader (the reader under CSV import and the MCP tool import_records). Beyond "never
// crashes" it checks what callers rely on: every field within the byte cap and valid text, at most maxFields per
// record, line numbers ≥ 1 that never go backwards, errors that name a line and column ≥ 1, and the same records
// whether the input is one buffer or a device read in chunks. The first input byte picks small caps so that the
// limit paths are reached too.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QBuffer>
#include <QByteArray>

#include "csvreader.h"

namespace {

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

struct Outcome
{
    QList<Core::CsvRow> rows;
    std::optional<Core::CsvError> error;
};

Outcome readAll(Core::CsvReader &reader)
{
    Outcome out;
    Core::CsvRow row;
    qint64 lastLine = 0;
    while (reader.next(row)) {
        if (row.line < 1 || row.line <= lastLine)
            violated("record lines start at 1 and grow");
        if (row.fields.isEmpty() || row.fields.size() != row.fieldLines.size())
            violated("one line number per field");
        if (row.fields.size() > reader.limits().maxFields)
            violated("at most maxFields per record");
        qint64 previous = row.line;
        for (qsizetype i = 0; i < row.fields.size(); ++i) {
            if (row.fieldLines.at(i) < previous)
                violated("field lines never go backwards");
            previous = row.fieldLines.at(i);
            const QByteArray utf8 = row.fields.at(i).toUtf8();
            if (utf8.size() > reader.limits().maxFieldBytes)
                violated("fields within the byte cap");
            if (Core::CsvReader::invalidUtf8Offset(utf8) >= 0)
                violated("fields are valid text");
        }
        lastLine = row.line;
        out.rows << row;
    }
    out.error = reader.error();
    if (out.error && (out.error->line < 1 || out.error->column < 1 || out.error->message.isEmpty()))
        violated("errors name a line and a column >= 1");
    if (reader.bytesRead() < 0)
        violated("bytes read is not negative");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    Core::CsvReader::Limits limits;
    const std::uint8_t mode = data[0];
    if (mode & 1)
        limits.maxFieldBytes = 1 + (mode >> 4); // 1..16 bytes
    if (mode & 2)
        limits.maxFields = 1 + ((mode >> 2) & 3); // 1..4
    if (mode & 4)
        limits.maxInputBytes = qint64(size) / 2;
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    Core::CsvReader fromBuffer(input, limits);
    const Outcome a = readAll(fromBuffer);

    QByteArray copy = input;
    QBuffer device(&copy);
    device.open(QIODevice::ReadOnly);
    Core::CsvReader fromDevice(&device, limits);
    const Outcome b = readAll(fromDevice);

    // With an input cap, a device is refused at the chunk that crosses it, a buffer before the first record; they
    // agree while the input fits in one chunk.
    if ((mode & 4) && input.size() > 64 * 1024)
        return 0;
    if (a.rows.size() != b.rows.size() || a.error.has_value() != b.error.has_value())
        violated("buffer and device read the same records");
    for (qsizetype i = 0; i < a.rows.size(); ++i) {
        if (a.rows.at(i).fields != b.rows.at(i).fields || a.rows.at(i).fieldLines != b.rows.at(i).fieldLines
            || a.rows.at(i).ragged != b.rows.at(i).ragged)
            violated("buffer and device read the same records");
    }
    if (a.error && (a.error->line != b.error->line || a.error->column != b.error->column))
        violated("buffer and device report the same error");
    return 0;
}
