// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

class QIODevice;

namespace Core {

// Where a CSV file is broken. Lines and columns are 1-based; the line is the physical line on which the field
// (or record) at fault starts, the column the field's position in its record.
struct CsvError
{
    qint64 line = 1;
    int column = 1;
    QString message;

    QString toString() const; // "line 7, column 3: ..."
};

// One record. `line` is the physical line it starts on; fieldLines[i] the line field i starts on (a quoted field
// may span lines). `ragged` when it has a different number of fields than the first record (the header).
struct CsvRow
{
    QStringList fields;
    QList<qint64> fieldLines;
    qint64 line = 0;
    bool ragged = false;
};

// A streaming RFC 4180 reader: comma-separated fields, fields in double quotes may hold commas, line breaks and
// "" for one quote (§2 rules 5–7); records end at CRLF, LF or a lone CR; a UTF-8 byte order mark at the start is
// skipped; a final line break does not start a record, and completely empty lines are skipped. Stricter than
// most readers where being lenient would guess: text after a closing quote, an unterminated quote, invalid UTF-8
// and oversized input or fields stop reading with a CsvError. A quote inside an unquoted field is kept as text
// (common in exported data: 24" monitor). Reads from a buffer without copying it, or from a QIODevice in chunks.
class CsvReader final
{
public:
    struct Limits
    {
        qint64 maxInputBytes = -1; // -1 = no limit (the MCP tool passes 4 MiB)
        qint64 maxFieldBytes = 1 << 20; // 1 MiB per field
        int maxFields = 4096; // per record
    };

    explicit CsvReader(QByteArrayView data);
    CsvReader(QByteArrayView data, Limits limits);
    explicit CsvReader(QIODevice *device);
    CsvReader(QIODevice *device, Limits limits);
    Q_DISABLE_COPY_MOVE(CsvReader)

    // The next record into `row`; false at the end of the input or on an error (then error() says what).
    bool next(CsvRow &row);

    const std::optional<CsvError> &error() const { return m_error; }
    qint64 bytesRead() const { return m_consumedBefore + m_pos; }
    qint64 records() const { return m_records; }
    qint64 raggedRecords() const { return m_ragged; }
    const Limits &limits() const { return m_limits; }

    // Byte offset of the first invalid UTF-8 sequence in `data`, or -1 when it is valid UTF-8 (RFC 3629: no
    // overlong forms, no surrogates, nothing above U+10FFFF).
    static qsizetype invalidUtf8Offset(QByteArrayView data);

private:
    enum class Step { Field, EndOfRecord, EndOfInput, Failed };
    bool ensure(); // at least one byte available at m_pos (reads from the device); false at the end
    Step readField(QByteArray &out);
    void consumeLineBreak(char c);
    bool fail(qint64 line, int column, const QString &message);

    QIODevice *m_device = nullptr;
    QByteArrayView m_data; // the bytes being parsed: the whole input, or the current chunk of the device
    QByteArray m_chunk;
    qsizetype m_pos = 0;
    qint64 m_consumedBefore = 0; // bytes of earlier chunks
    bool m_started = false;
    bool m_done = false;
    Limits m_limits;
    qint64 m_line = 1;
    int m_column = 0;
    qint64 m_records = 0;
    qint64 m_ragged = 0;
    int m_width = -1;
    QByteArray m_field;
    std::optional<CsvError> m_error;
};

} // namespace Core
