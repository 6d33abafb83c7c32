// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "csvreader.h"

#include <cstring>

#include <QIODevice>

namespace Core {

using namespace Qt::StringLiterals;

namespace {
constexpr qsizetype kChunkBytes = 64 * 1024;

QString sizeText(qint64 bytes)
{
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0)
        return u"%1 MiB"_s.arg(bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0)
        return u"%1 KiB"_s.arg(bytes >> 10);
    return u"%1 bytes"_s.arg(bytes);
}
} // namespace

QString CsvError::toString() const
{
    return u"line %1, column %2: %3"_s.arg(line).arg(column).arg(message);
}

CsvReader::CsvReader(QByteArrayView data)
    : CsvReader(data, Limits {})
{ }

CsvReader::CsvReader(QByteArrayView data, Limits limits)
    : m_data(data)
    , m_limits(limits)
{
    if (m_limits.maxInputBytes >= 0 && data.size() > m_limits.maxInputBytes)
        fail(1, 1, u"the input is larger than %1"_s.arg(sizeText(m_limits.maxInputBytes)));
}

CsvReader::CsvReader(QIODevice *device)
    : CsvReader(device, Limits {})
{ }

CsvReader::CsvReader(QIODevice *device, Limits limits)
    : m_device(device)
    , m_limits(limits)
{ }

qsizetype CsvReader::invalidUtf8Offset(QByteArrayView data)
{
    const auto *s = reinterpret_cast<const unsigned char *>(data.data());
    const qsizetype n = data.size();
    qsizetype i = 0;
    while (i < n) {
        // ASCII runs are the common case: take them eight bytes at a time.
        while (i + 8 <= n) {
            quint64 word;
            memcpy(&word, s + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        // RFC 3629 §4: the well-formed multi-byte sequences.
        int length = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0)
                lo = 0xA0; // no overlong forms
            else if (c == 0xED)
                hi = 0x9F; // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; // nothing above U+10FFFF
        } else {
            return i;
        }
        if (i + length > n)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (int k = 2; k < length; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return i;
        }
        i += length;
    }
    return -1;
}

bool CsvReader::fail(qint64 line, int column, const QString &message)
{
    if (!m_error)
        m_error = CsvError { std::max<qint64>(1, line), std::max(1, column), message };
    m_done = true;
    return false;
}

bool CsvReader::ensure()
{
    if (m_pos < m_data.size())
        return true;
    if (!m_device || m_error)
        return false;
    m_consumedBefore += m_data.size();
    m_chunk = m_device->read(kChunkBytes);
    m_data = m_chunk;
    m_pos = 0;
    if (m_limits.maxInputBytes >= 0 && m_consumedBefore + m_chunk.size() > m_limits.maxInputBytes) {
        m_data = {};
        return fail(
            m_line, std::max(1, m_column), u"the input is larger than %1"_s.arg(sizeText(m_limits.maxInputBytes)));
    }
    return !m_chunk.isEmpty();
}

// CRLF, LF or a lone CR: one line break (RFC 4180 §2 rule 1 names CRLF; files from other tools use the others).
void CsvReader::consumeLineBreak(char c)
{
    ++m_pos;
    if (c == '\r' && ensure() && m_data[m_pos] == '\n')
        ++m_pos;
    ++m_line;
}

CsvReader::Step CsvReader::readField(QByteArray &out)
{
    out.clear();
    const qint64 fieldLine = m_line;
    const auto append = [&](const char *p, qsizetype n) {
        if (out.size() + n > m_limits.maxFieldBytes)
            return fail(fieldLine, m_column, u"the field is longer than %1"_s.arg(sizeText(m_limits.maxFieldBytes)));
        out.append(p, n);
        return true;
    };

    if (!ensure())
        return m_error ? Step::Failed : Step::EndOfInput;
    if (m_data[m_pos] == '"') {
        // RFC 4180 §2 rules 5–7: a quoted field runs to the next quote that is not doubled.
        ++m_pos;
        for (;;) {
            if (!ensure()) {
                fail(fieldLine, m_column, u"the quoted field that starts here is never closed (a quote is missing)"_s);
                return Step::Failed;
            }
            const char *begin = m_data.data() + m_pos;
            const char *end = m_data.data() + m_data.size();
            const char *p = begin;
            while (p < end && *p != '"' && *p != '\n' && *p != '\r')
                ++p;
            if (!append(begin, p - begin))
                return Step::Failed;
            m_pos += p - begin;
            if (p == end)
                continue;
            if (*p == '\n' || *p == '\r') {
                const char c = *p;
                out.append(c);
                ++m_pos;
                if (c == '\r' && ensure() && m_data[m_pos] == '\n') {
                    out.append('\n');
                    ++m_pos;
                }
                ++m_line;
                continue;
            }
            ++m_pos; // the quote
            if (ensure() && m_data[m_pos] == '"') {
                if (!append("\"", 1))
                    return Step::Failed;
                ++m_pos;
                continue;
            }
            break;
        }
        if (!ensure())
            return m_error ? Step::Failed : Step::EndOfInput;
        const char c = m_data[m_pos];
        if (c == ',') {
            ++m_pos;
            return Step::Field;
        }
        if (c == '\n' || c == '\r') {
            consumeLineBreak(c);
            return Step::EndOfRecord;
        }
        fail(m_line, m_column,
            u"unexpected text after the closing quote (write a quote inside a quoted field as \"\")"_s);
        return Step::Failed;
    }

    for (;;) {
        if (!ensure())
            return m_error ? Step::Failed : Step::EndOfInput;
        const char *begin = m_data.data() + m_pos;
        const char *end = m_data.data() + m_data.size();
        const char *p = begin;
        while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            ++p;
        if (!append(begin, p - begin))
            return Step::Failed;
        m_pos += p - begin;
        if (p == end)
            continue;
        if (*p == ',') {
            ++m_pos;
            return Step::Field;
        }
        consumeLineBreak(*p);
        return Step::EndOfRecord;
    }
}

bool CsvReader::next(CsvRow &row)
{
    row.fields.clear();
    row.fieldLines.clear();
    row.ragged = false;
    if (m_done)
        return false;
    if (!m_started) {
        m_started = true;
        if (ensure() && m_pos == 0 && m_data.size() >= 3 && m_data.first(3) == QByteArrayView("\xEF\xBB\xBF", 3))
            m_pos = 3;
    }
    // Skip empty lines; the end of the input here is the normal end (a final line break starts no record).
    for (;;) {
        if (!ensure()) {
            m_done = true;
            return false;
        }
        const char c = m_data[m_pos];
        if (c != '\n' && c != '\r')
            break;
        consumeLineBreak(c);
    }
    row.line = m_line;
    m_column = 0;
    for (;;) {
        ++m_column;
        if (m_column > m_limits.maxFields)
            return fail(m_line, m_column, u"a record has more than %1 fields"_s.arg(m_limits.maxFields));
        const qint64 fieldLine = m_line;
        const Step step = readField(m_field);
        if (step == Step::Failed)
            return false;
        if (const qsizetype bad = invalidUtf8Offset(m_field); bad >= 0)
            return fail(fieldLine, m_column,
                u"the field is not valid UTF-8 (byte %1 of the field); save the file as UTF-8"_s.arg(bad + 1));
        row.fields.append(QString::fromUtf8(m_field));
        row.fieldLines.append(fieldLine);
        if (step != Step::Field)
            break;
    }
    ++m_records;
    if (m_width < 0) {
        m_width = int(row.fields.size());
    } else if (row.fields.size() != m_width) {
        row.ragged = true;
        ++m_ragged;
    }
    return true;
}

} // namespace Core
