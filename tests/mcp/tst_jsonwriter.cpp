// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// Domain::JsonWriter: what it writes parses back to the same JSON that QJsonObject/QJsonArray would hold, numbers are
// written exactly as QJsonDocument writes them (integral doubles as integers, shortest round-trip digits, non-finite
// as null), strings escape what RFC 8259 asks and keep every other character, commas and nesting come out right,
// and the customer summary list_clients writes equals the object answers built before.
#include <cmath>
#include <limits>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "customer.h"
#include "jsonwriter.h"
#include "toolsupport.h"

using namespace Qt::StringLiterals;

class TestJsonWriter : public QObject
{
    Q_OBJECT

    static QByteArray qtNumber(double d)
    {
        const QByteArray array = QJsonDocument(QJsonArray { d }).toJson(QJsonDocument::Compact);
        return array.sliced(1, array.size() - 2);
    }

private Q_SLOTS:
    void numbersAsQtWritesThem_data()
    {
        QTest::addColumn<double>("number");
        QTest::newRow("zero") << 0.0;
        QTest::newRow("negative zero") << -0.0;
        QTest::newRow("integral") << 1234.0;
        QTest::newRow("integral million") << 1200000.0;
        QTest::newRow("money") << 123456.78;
        QTest::newRow("tenth") << 0.1;
        QTest::newRow("small") << 1e-7;
        QTest::newRow("2^53") << 9007199254740992.0;
        QTest::newRow("2^53 - 1") << 9007199254740991.0;
        QTest::newRow("big") << 1e21;
        QTest::newRow("negative") << -42.5;
        QTest::newRow("third") << 1.0 / 3.0;
        QTest::newRow("max") << std::numeric_limits<double>::max();
        QTest::newRow("denormal") << std::numeric_limits<double>::denorm_min();
        QTest::newRow("nan") << std::nan("");
        QTest::newRow("infinity") << std::numeric_limits<double>::infinity();
    }

    void numbersAsQtWritesThem()
    {
        QFETCH(double, number);
        QByteArray out;
        Domain::JsonWriter(out).value(number);
        QCOMPARE(out, qtNumber(number));
    }

    void integersAsQtWritesThem()
    {
        for (qint64 n : { qint64(0), qint64(-1), qint64(1) << 53, (qint64(1) << 62) + 1,
                 std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max() }) {
            QByteArray out;
            Domain::JsonWriter(out).value(n);
            const QByteArray qt = QJsonDocument(QJsonArray { n }).toJson(QJsonDocument::Compact);
            QCOMPARE(out, qt.sliced(1, qt.size() - 2));
        }
    }

    void stringsRoundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << u""_s;
        QTest::newRow("plain") << u"Acme Corp"_s;
        QTest::newRow("quotes and backslash") << u"say \"hi\" \\ bye"_s;
        QTest::newRow("controls")
            << u"a\u0000b\u0001c\bd\fe\nf\rg\th\u001f"_s; // _s keeps the NUL (fromUtf16 stopped at it)
        QTest::newRow("non-ASCII") << u"Zoë — 北京 ✓ 🚀"_s;
        QTest::newRow("line separators") << QString::fromUtf16(u"x\u2028y\u2029z");
        QTest::newRow("markup") << u"</script><b>&amp;"_s;
        QTest::newRow("escapes only") << u"\"\\\n\r\t\u0000\u001f\""_s;
        QTest::newRow("escape last") << u"ends with a quote\""_s;
        QTest::newRow("DEL is plain") << QString::fromUtf16(u"a\u007fb");
    }

    void stringsRoundTrip()
    {
        QFETCH(QString, text);
        QByteArray out;
        Domain::JsonWriter(out).beginArray().value(text).endArray();
        QJsonParseError error {};
        const QJsonDocument parsed = QJsonDocument::fromJson(out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(parsed.array().at(0).toString(), text);
        for (char c : out)
            QVERIFY2(uchar(c) >= 0x20, "a raw control character in the output");
        // The UTF-8 form of the same text escapes the same way.
        QByteArray fromUtf8;
        Domain::appendJsonString(fromUtf8, QByteArrayView(text.toUtf8()));
        QCOMPARE(QByteArray('[' + fromUtf8 + ']'), out);
    }

    void escapesAppendAfterWhatIsThere()
    {
        // The exact bytes (RFC 8259 §7: two-character escapes where there is one, \u00XX for other controls), after
        // what the buffer already held.
        QByteArray out = "prefix:";
        Domain::appendJsonString(out, QByteArrayView("a\"b\\c\nd\x01\x7f\t"));
        QCOMPARE(out, QByteArray(R"(prefix:"a\"b\\c\nd\u0001\x7f\t")").replace("\\x7f", "\x7f"));
        Domain::appendJsonString(out, QByteArrayView(""));
        QVERIFY(out.endsWith(R"(\t""")"));
    }

    void nestingAndCommas()
    {
        QByteArray out;
        Domain::JsonWriter w(out);
        w.beginObject()
            .key("a"_L1)
            .beginArray()
            .value(1)
            .value(u"two"_s)
            .null()
            .value(true)
            .beginObject()
            .endObject()
            .endArray()
            .key("b"_L1)
            .beginObject()
            .key("c"_L1)
            .value(false)
            .key("d"_L1)
            .beginArray()
            .endArray()
            .endObject()
            .key("e"_L1)
            .value(QJsonValue(QJsonObject { { u"x"_s, 1 }, { u"y"_s, QJsonArray { 1, 2 } } }))
            .key("f"_L1)
            .value(QJsonValue(qint64(1) << 60))
            .key("g"_L1)
            .textOrNull(QString())
            .key("h"_L1)
            .textOrNull(u"t"_s)
            .key("i"_L1)
            .dateOrNull(QDate())
            .key("j"_L1)
            .dateOrNull(QDate(2026, 11, 25))
            .key("k"_L1)
            .dateOrNull(QDate(12345, 1, 2))
            .endObject();
        const QJsonObject expected {
            { u"a"_s, QJsonArray { 1, u"two"_s, QJsonValue::Null, true, QJsonObject {} } },
            { u"b"_s, QJsonObject { { u"c"_s, false }, { u"d"_s, QJsonArray {} } } },
            { u"e"_s, QJsonObject { { u"x"_s, 1 }, { u"y"_s, QJsonArray { 1, 2 } } } }, { u"f"_s, qint64(1) << 60 },
            { u"g"_s, QJsonValue::Null }, { u"h"_s, u"t"_s }, { u"i"_s, QJsonValue::Null }, { u"j"_s, u"2026-11-25"_s },
            { u"k"_s, Mcp::ToolSupport::dateJson(QDate(12345, 1, 2)) }, // as the object answers write it
        };
        QJsonParseError error {};
        const QJsonDocument parsed = QJsonDocument::fromJson(out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, out.constData());
        QCOMPARE(parsed.object(), expected);
        QCOMPARE(parsed.object().value(u"f"_s).toInteger(), qint64(1) << 60);
    }

    void customerSummaryAsBefore()
    {
        Domain::Customer c;
        c.id = u"cus_1"_s;
        c.name = u"Zoë \"Q\" Ltd"_s;
        c.company = QString(); // null text was "" in the object answers
        c.currency = u"EUR"_s;
        c.arr = 120000.004;
        c.tier = Domain::Tier::MidMarket;
        c.owner = u"ana@example.com"_s;
        c.renewalDate = QDate(2027, 3, 31);
        const QJsonObject expected {
            { u"arr"_s, 120000.0 },
            { u"company"_s, u""_s },
            { u"currency"_s, u"EUR"_s },
            { u"customer_id"_s, u"cus_1"_s },
            { u"lifecycle_stage"_s, Domain::enumName(c.lifecycleStage) },
            { u"name"_s, c.name },
            { u"owner"_s, c.owner },
            { u"renewal_date"_s, u"2027-03-31"_s },
            { u"status"_s, Domain::enumName(c.status) },
            { u"tier"_s, u"mid_market"_s },
        };
        QCOMPARE(Mcp::ToolSupport::customerSummaryJson(c), expected);
        c.renewalDate = QDate();
        QCOMPARE(Mcp::ToolSupport::customerSummaryJson(c).value(u"renewal_date"_s), QJsonValue(QJsonValue::Null));
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
