// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// CsvReader: RFC 4180 records, line numbers, UTF-8 validation, caps, and the same records whether the input is one
// buffer or a device read in chunks.
#include <QBuffer>
#include <QTest>

#include "csvreader.h"

using namespace Qt::StringLiterals;
using Core::CsvReader;
using Core::CsvRow;

namespace {

struct Parsed
{
    QList<QStringList> rows;
    QList<qint64> lines;
    QList<bool> ragged;
    std::optional<Core::CsvError> error;
};

Parsed parse(CsvReader &reader)
{
    Parsed p;
    CsvRow row;
    while (reader.next(row)) {
        p.rows << row.fields;
        p.lines << row.line;
        p.ragged << row.ragged;
        if (p.rows.size() > 100000)
            break;
    }
    p.error = reader.error();
    return p;
}

Parsed parse(const QByteArray &data, CsvReader::Limits limits = {})
{
    CsvReader reader(data, limits);
    return parse(reader);
}

} // namespace

class TestCsvReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void records_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QList<QStringList>>("rows");
        QTest::addColumn<QList<qint64>>("lines");

        using Rows = QList<QStringList>;
        using Lines = QList<qint64>;
        QTest::addRow("lf") << "a,b\n1,2\n"_ba << Rows { { u"a"_s, u"b"_s }, { u"1"_s, u"2"_s } } << Lines { 1, 2 };
        QTest::addRow("crlf") << "a,b\r\n1,2\r\n"_ba << Rows { { u"a"_s, u"b"_s }, { u"1"_s, u"2"_s } }
                              << Lines { 1, 2 };
        QTest::addRow("lone cr") << "a,b\r1,2"_ba << Rows { { u"a"_s, u"b"_s }, { u"1"_s, u"2"_s } } << Lines { 1, 2 };
        QTest::addRow("no final line break") << "a\n1"_ba << Rows { { u"a"_s }, { u"1"_s } } << Lines { 1, 2 };
        QTest::addRow("quoted comma") << "\"a,b\",c\n"_ba << Rows { { u"a,b"_s, u"c"_s } } << Lines { 1 };
        QTest::addRow("doubled quote") << "\"say \"\"hi\"\"\",x\n"_ba << Rows { { u"say \"hi\""_s, u"x"_s } }
                                       << Lines { 1 };
        QTest::addRow("embedded newline")
            << "h1,h2\n\"line one\nline two\",b\nnext,row\n"_ba
            << Rows { { u"h1"_s, u"h2"_s }, { u"line one\nline two"_s, u"b"_s }, { u"next"_s, u"row"_s } }
            << Lines { 1, 2, 4 };
        QTest::addRow("embedded crlf") << "\"a\r\nb\"\r\nc\r\n"_ba << Rows { { u"a\r\nb"_s }, { u"c"_s } }
                                       << Lines { 1, 3 };
        QTest::addRow("bom") << "\xEF\xBB\xBFid,name\n1,x\n"_ba << Rows { { u"id"_s, u"name"_s }, { u"1"_s, u"x"_s } }
                             << Lines { 1, 2 };
        QTest::addRow("empty fields") << ",,\n"_ba << Rows { { QString(), QString(), QString() } } << Lines { 1 };
        QTest::addRow("trailing comma at end") << "a,b,"_ba << Rows { { u"a"_s, u"b"_s, QString() } } << Lines { 1 };
        QTest::addRow("quoted empty") << "\"\",x\n"_ba << Rows { { QString(), u"x"_s } } << Lines { 1 };
        QTest::addRow("blank lines skipped")
            << "a\n\n\r\nb\n\n"_ba << Rows { { u"a"_s }, { u"b"_s } } << Lines { 1, 4 };
        QTest::addRow("bare quote kept") << "24\" monitor,1\n"_ba << Rows { { u"24\" monitor"_s, u"1"_s } }
                                         << Lines { 1 };
        QTest::addRow("utf-8") << "Zoë,Ünïcødé,日本\n"_ba << Rows { { u"Zoë"_s, u"Ünïcødé"_s, u"日本"_s } }
                               << Lines { 1 };
        QTest::addRow("empty input") << QByteArray() << Rows {} << Lines {};
        QTest::addRow("only bom") << "\xEF\xBB\xBF"_ba << Rows {} << Lines {};
    }

    void records()
    {
        QFETCH(QByteArray, input);
        QFETCH(QList<QStringList>, rows);
        QFETCH(QList<qint64>, lines);
        const Parsed p = parse(input);
        QVERIFY2(!p.error, p.error ? qPrintable(p.error->toString()) : "");
        QCOMPARE(p.rows, rows);
        QCOMPARE(p.lines, lines);
    }

    void raggedRowsAreReported()
    {
        const Parsed p = parse("a,b,c\n1,2,3\n1,2\n1,2,3,4\n"_ba);
        QVERIFY(!p.error);
        QCOMPARE(p.ragged, (QList<bool> { false, false, true, true }));
        CsvReader reader("a,b\n1\n"_ba);
        CsvRow row;
        while (reader.next(row)) { }
        QCOMPARE(reader.raggedRecords(), 1);
        QCOMPARE(reader.records(), 2);
    }

    void fieldLinesOfMultiLineRecords()
    {
        CsvReader reader("\"a\nb\nc\",d\n"_ba);
        CsvRow row;
        QVERIFY(reader.next(row));
        QCOMPARE(row.fieldLines, (QList<qint64> { 1, 3 }));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<qint64>("maxField");
        QTest::addColumn<qint64>("maxInput");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("messagePart");

        QTest::addRow("unterminated quote")
            << "a,b\n1,\"open\nmore\n"_ba << qint64(1 << 20) << qint64(-1) << qint64(2) << 2 << u"never closed"_s;
        QTest::addRow("text after closing quote")
            << "a\n\"x\"y\n"_ba << qint64(1 << 20) << qint64(-1) << qint64(2) << 1 << u"after the closing quote"_s;
        QTest::addRow("invalid byte") << "a,b\nc,d\ne,\xFF\n"_ba << qint64(1 << 20) << qint64(-1) << qint64(3) << 2
                                      << u"UTF-8"_s;
        QTest::addRow("overlong slash") << "\xC0\xAF\n"_ba << qint64(1 << 20) << qint64(-1) << qint64(1) << 1
                                        << u"UTF-8"_s;
        QTest::addRow("surrogate") << "x,\xED\xA0\x80"_ba << qint64(1 << 20) << qint64(-1) << qint64(1) << 2
                                   << u"UTF-8"_s;
        QTest::addRow("truncated sequence")
            << "ok\n\"multi\nline \xE2\x82\"\n"_ba << qint64(1 << 20) << qint64(-1) << qint64(2) << 1 << u"UTF-8"_s;
        QTest::addRow("field too long") << "a,b\n1,123456789\n"_ba << qint64(8) << qint64(-1) << qint64(2) << 2
                                        << u"longer than 8 bytes"_s;
        QTest::addRow("quoted field too long")
            << "\"123456789\"\n"_ba << qint64(8) << qint64(-1) << qint64(1) << 1 << u"longer than 8 bytes"_s;
        QTest::addRow("input too large") << QByteArray(5000, 'x') << qint64(1 << 20) << qint64(4096) << qint64(1) << 1
                                         << u"larger than 4 KiB"_s;
    }

    void errors()
    {
        QFETCH(QByteArray, input);
        QFETCH(qint64, maxField);
        QFETCH(qint64, maxInput);
        QFETCH(qint64, line);
        QFETCH(int, column);
        QFETCH(QString, messagePart);
        CsvReader::Limits limits;
        limits.maxFieldBytes = maxField;
        limits.maxInputBytes = maxInput;
        for (const bool fromDevice : { false, true }) {
            QBuffer buffer(&input);
            buffer.open(QIODevice::ReadOnly);
            std::unique_ptr<CsvReader> reader = fromDevice ? std::make_unique<CsvReader>(&buffer, limits)
                                                           : std::make_unique<CsvReader>(input, limits);
            const Parsed p = parse(*reader);
            QVERIFY2(p.error, fromDevice ? "device" : "buffer");
            QCOMPARE(p.error->line, line);
            QCOMPARE(p.error->column, column);
            QVERIFY2(p.error->message.contains(messagePart), qPrintable(p.error->toString()));
            CsvRow row;
            QVERIFY(!reader->next(row)); // stays stopped
        }
    }

    void tooManyFields()
    {
        CsvReader::Limits limits;
        limits.maxFields = 3;
        const Parsed p = parse("a,b,c\n1,2,3,4\n"_ba, limits);
        QVERIFY(p.error);
        QCOMPARE(p.error->line, 2);
        QCOMPARE(p.rows.size(), 1);
    }

    // 64 KiB chunks split CRLFs, doubled quotes and multi-byte characters somewhere: the records must not change.
    void deviceMatchesBuffer()
    {
        QByteArray data = "id,text,n\r\n"_ba;
        for (int i = 0; i < 20000; ++i) {
            data += QByteArray::number(i) + ",\"quote \"\" and, comma\r\nnext line é\"," + QByteArray::number(i * 7)
                + (i % 3 == 0 ? "\r\n" : "\n");
        }
        const Parsed fromBuffer = parse(data);
        QBuffer buffer(&data);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        CsvReader reader(&buffer);
        const Parsed fromDevice = parse(reader);
        QVERIFY(!fromBuffer.error);
        QVERIFY(!fromDevice.error);
        QCOMPARE(fromBuffer.rows.size(), 20001);
        QCOMPARE(fromDevice.rows, fromBuffer.rows);
        QCOMPARE(fromDevice.lines, fromBuffer.lines);
        QCOMPARE(fromBuffer.rows.at(5).at(1), u"quote \" and, comma\r\nnext line é"_s);
        QCOMPARE(fromBuffer.lines.at(5), 1 + 2 * 4 + 1);
        QCOMPARE(reader.bytesRead(), data.size());
    }

    void utf8Offsets_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<qsizetype>("offset");
        QTest::addRow("ascii") << "plain text that is long enough"_ba << qsizetype(-1);
        QTest::addRow("two-byte") << "caf\xC3\xA9"_ba << qsizetype(-1);
        QTest::addRow("four-byte") << "\xF0\x9F\x98\x80"_ba << qsizetype(-1);
        QTest::addRow("max code point") << "\xF4\x8F\xBF\xBF"_ba << qsizetype(-1);
        QTest::addRow("above max") << "ab\xF4\x90\x80\x80"_ba << qsizetype(2);
        QTest::addRow("lone continuation") << "abcdefghij\x80"_ba << qsizetype(10);
        QTest::addRow("overlong 3-byte") << "\xE0\x80\xAF"_ba << qsizetype(0);
        QTest::addRow("cut off") << "x\xE2\x82"_ba << qsizetype(1);
        QTest::addRow("c0") << "\xC0\x80"_ba << qsizetype(0);
    }

    void utf8Offsets()
    {
        QFETCH(QByteArray, data);
        QFETCH(qsizetype, offset);
        QCOMPARE(CsvReader::invalidUtf8Offset(data), offset);
    }
};

QTEST_APPLESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
