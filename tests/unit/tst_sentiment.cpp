// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The lexicon sentiment scorer (core/services/sentiment.h) on hand-written sentences. Every expected score is
// hand-computed from the documented method: S = Σ adjusted valences, score = S / sqrt(S² + 15),
// confidence = (1 - 0.5^n) * (0.5 + 0.5 * |S| / Σ|v|).
#include <QTest>

#include "sentiment.h"

using namespace Qt::StringLiterals;
using Core::SentimentLabel;

class TestSentiment : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scores_data();
    void scores();
    void noSignal_data();
    void noSignal();
    void labelThresholds_data();
    void labelThresholds();
    void termsExplainTheScore();
    void boundedAndMoreEvidenceMoreConfidence();
    void methodIsDescribed();
};

void TestSentiment::scores_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("score");
    QTest::addColumn<double>("confidence");
    QTest::addColumn<int>("terms");
    QTest::addColumn<int>("negated");

    // good = +2: 2 / sqrt(4 + 15)
    QTest::addRow("one positive word") << u"Good."_s << 0.458831 << 0.5 << 1 << 0;
    // not good: 2 * -0.5 = -1 -> -1 / sqrt(16)
    QTest::addRow("negation flips and halves") << u"It is not good"_s << -0.25 << 0.5 << 1 << 1;
    // not bad: -2 * -0.5 = +1
    QTest::addRow("negated negative") << u"not bad at all"_s << 0.25 << 0.5 << 1 << 1;
    // don’t (curly apostrophe) love: 3 * -0.5 = -1.5 -> -1.5 / sqrt(17.25)
    QTest::addRow("contraction negates") << u"We don\u2019t love it"_s << -0.361158 << 0.5 << 1 << 1;
    // very good: 2 * 1.5 = 3 -> 3 / sqrt(24)
    QTest::addRow("intensifier right before") << u"very good"_s << 0.612372 << 0.5 << 1 << 0;
    // extremely fast: 1.5 * 1.5 = 2.25; reliable 2 (booster three words back does not reach); S = 4.25
    QTest::addRow("intensifier reaches one word") << u"extremely fast and reliable"_s << 0.739130 << 0.75 << 2 << 0;
    // a bit slow: -1.5 * 0.5 = -0.75 -> -0.75 / sqrt(15.5625)
    QTest::addRow("diminisher") << u"It is a bit slow"_s << -0.190117 << 0.5 << 1 << 0;
    // good before but: 2 * 0.5 = 1; slow after: -1.5 * 1.5 = -2.25; S = -1.25; Σ|v| = 3.25
    // confidence = 0.75 * (0.5 + 0.5 * 1.25 / 3.25) = 0.519231
    QTest::addRow("but contrast") << u"good but slow"_s << -0.307148 << 0.519231 << 2 << 0;
    // great before however: 1.5; slow after: -2.25; S = -0.75; confidence 0.75 * (0.5 + 0.5 * 0.75 / 3.75) = 0.45
    QTest::addRow("however contrast") << u"The product is great, however support is slow."_s << -0.190117 << 0.45 << 2
                                      << 0;
    // too (two words back) many bugs: -1.5 * 1.25 = -1.875; "takes days" phrase -1.5; S = -3.375
    QTest::addRow("demo detractor comment")
        << u"Too many bugs lately and support takes days to respond."_s << -0.656975 << 0.75 << 2 << 0;
    // phrase: evaluating alternatives -3 (the single word "alternatives" is not counted again)
    QTest::addRow("phrase wins over word") << u"We are evaluating alternatives"_s << -0.612372 << 0.5 << 1 << 0;
    // not slow: -1.5 * -0.5 = 0.75; the sentence ends, so great (3) is not negated; S = 3.75
    QTest::addRow("negation stops at sentence end") << u"Not slow. Great!"_s << 0.695608 << 0.75 << 2 << 1;
    // the comma ends the negation scope: good stays +2
    QTest::addRow("negation stops at comma") << u"No, it is good"_s << 0.458831 << 0.5 << 1 << 0;
    // isn't reliable: 2 * -0.5 = -1 ("work" is not in the lexicon)
    QTest::addRow("negation of the next term only")
        << u"It doesn't work and it isn't reliable"_s << -0.25 << 0.5 << 1 << 1;
    // as well = 0: a neutral phrase, not a term; well alone would be +1
    QTest::addRow("neutral phrase") << u"They use reporting as well"_s << 0.0 << 0.0 << 0 << 0;
    // great x3: S = 9 -> 9 / sqrt(96); confidence 1 - 0.125 = 0.875
    QTest::addRow("three agreeing terms") << u"great, great, GREAT"_s << 0.918559 << 0.875 << 3 << 0;
}

void TestSentiment::scores()
{
    QFETCH(QString, text);
    QFETCH(double, score);
    QFETCH(double, confidence);
    QFETCH(int, terms);
    QFETCH(int, negated);
    const Core::SentimentResult r = Core::scoreSentiment(text);
    QCOMPARE(r.termCount, terms);
    QCOMPARE(r.negatedCount, negated);
    QVERIFY2(qAbs(r.score - score) < 1e-5, qPrintable(u"score %1, expected %2"_s.arg(r.score).arg(score)));
    QVERIFY2(qAbs(r.confidence - confidence) < 1e-5,
        qPrintable(u"confidence %1, expected %2"_s.arg(r.confidence).arg(confidence)));
    QCOMPARE(r.hasSignal(), terms > 0);
}

void TestSentiment::noSignal_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << QString();
    QTest::addRow("whitespace") << u"   \n\t "_s;
    QTest::addRow("punctuation only") << u"?!... ,,"_s;
    QTest::addRow("neutral statement") << u"The meeting is on Tuesday at 10."_s;
    QTest::addRow("other language") << u"Das Produkt ist gut"_s; // "gut" is not English: honestly no signal
    QTest::addRow("word inside another word") << u"goodwill debugging"_s; // whole words only
}

void TestSentiment::noSignal()
{
    QFETCH(QString, text);
    const Core::SentimentResult r = Core::scoreSentiment(text);
    QVERIFY(!r.hasSignal());
    QCOMPARE(r.score, 0.0);
    QCOMPARE(r.confidence, 0.0);
    QVERIFY(r.terms.isEmpty());
}

void TestSentiment::labelThresholds_data()
{
    QTest::addColumn<double>("score");
    QTest::addColumn<SentimentLabel>("label");
    QTest::addRow("-1") << -1.0 << SentimentLabel::Negative;
    QTest::addRow("-0.05 is negative") << -0.05 << SentimentLabel::Negative;
    QTest::addRow("-0.049 is neutral") << -0.049 << SentimentLabel::Neutral;
    QTest::addRow("0") << 0.0 << SentimentLabel::Neutral;
    QTest::addRow("0.049 is neutral") << 0.049 << SentimentLabel::Neutral;
    QTest::addRow("0.05 is positive") << 0.05 << SentimentLabel::Positive;
    QTest::addRow("1") << 1.0 << SentimentLabel::Positive;
}

void TestSentiment::labelThresholds()
{
    QFETCH(double, score);
    QFETCH(SentimentLabel, label);
    Core::SentimentResult r;
    r.score = score;
    QCOMPARE(r.label(), label);
    QCOMPARE(Domain::enumName(label).isEmpty(), false);
}

void TestSentiment::termsExplainTheScore()
{
    const Core::SentimentResult r = Core::scoreSentiment(u"Support was not helpful and the app is very slow"_s);
    QCOMPARE(r.terms, (QStringList { u"not helpful"_s, u"very slow"_s }));
    // helpful 2 * -0.5 = -1; slow -1.5 * 1.5 = -2.25; S = -3.25 -> -3.25 / sqrt(25.5625)
    QVERIFY(qAbs(r.score - (-3.25 / 5.055937)) < 1e-5);
    QCOMPARE(r.label(), SentimentLabel::Negative);
}

void TestSentiment::boundedAndMoreEvidenceMoreConfidence()
{
    QString text;
    for (int i = 0; i < 200; ++i)
        text += u"terrible awful broken. "_s;
    const Core::SentimentResult many = Core::scoreSentiment(text);
    QVERIFY(many.score > -1.0 && many.score < -0.99);
    QVERIFY(many.confidence <= 1.0 && many.confidence > 0.99);
    const Core::SentimentResult one = Core::scoreSentiment(u"terrible"_s);
    QVERIFY(one.confidence < many.confidence);
    // Deterministic: the same text, the same answer.
    QCOMPARE(Core::scoreSentiment(text).score, many.score);
}

void TestSentiment::methodIsDescribed()
{
    const QString method = Core::sentimentMethodSummary();
    QVERIFY(method.contains(u"VADER"_s));
    QVERIFY(method.contains(u"Limitations"_s));
}

QTEST_APPLESS_MAIN(TestSentiment)
#include "tst_sentiment.moc"
