// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include "approvalprompt.h"
#include "screenshots.h"

using namespace Qt::StringLiterals;

namespace {

using TestUtils::screenshotDir;

Ui::ApprovalItem emailItem()
{
    QString body = u"Hi Jane,\n\nahead of our quarterly business review on 12 July I would like to walk you through "
                   u"the adoption numbers of the last quarter and the roadmap items your team asked about."_s;
    return Ui::ApprovalItem { 4711, u"Claude Desktop"_s, u"send_personalized_email"_s, u"Send personalised email"_s,
        u"communication"_s,
        QJsonObject { { u"customer_id"_s, u"acme-corp"_s }, { u"contact_id"_s, u"c-1042"_s },
            { u"subject"_s, u"Preparing our quarterly business review"_s }, { u"body"_s, body },
            { u"cc"_s, QJsonArray { u"cfo@acme.example"_s } }, { u"send_at"_s, u"2026-07-01T09:00:00Z"_s },
            { u"track_opens"_s, true } } };
}

} // namespace

class TestApprovalPrompt final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheCall()
    {
        Ui::ApprovalPrompt prompt(emailItem());
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));
        QVERIFY(!prompt.isModal());
        const QString heading = prompt.findChild<QLabel *>(u"approvalHeading"_s)->text();
        QVERIFY2(heading.contains(u"Claude Desktop"_s), qPrintable(heading));
        QVERIFY2(heading.contains(u"Send personalised email"_s), qPrintable(heading));
        QVERIFY2(heading.contains(u"send_personalized_email"_s), qPrintable(heading));
        QVERIFY2(heading.contains(u"communication"_s), qPrintable(heading));

        const QStringList lines = prompt.argumentLines();
        QVERIFY2(lines.contains(u"customer_id: acme-corp"_s), qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(u"cc: [\"cfo@acme.example\"]"_s), qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(u"track_opens: true"_s), qPrintable(lines.join(u'\n')));
        // The long body is cut, on one line; the tooltip and the JSON view have all of it.
        const QString bodyLine = lines.filter(u"body: "_s).value(0);
        QVERIFY2(bodyLine.endsWith(u'…'), qPrintable(bodyLine));
        QCOMPARE(bodyLine.size(), int(u"body: "_s.size()) + Ui::ApprovalPrompt::kMaxValueLength);
        QVERIFY(!bodyLine.contains(u'\n'));

        QVERIFY(!prompt.fullJson()->isVisible());
        prompt.fullJsonToggle()->click();
        QVERIFY(prompt.fullJson()->isVisible());
        QVERIFY(prompt.fullJson()->toPlainText().contains(u"the roadmap items your team asked about."_s));
        QVERIFY(prompt.fullJson()->toPlainText().contains(u"\n    \"customer_id\": \"acme-corp\""_s));
        prompt.fullJsonToggle()->click();

        const QString path = screenshotDir() + u"/approval-prompt.png"_s;
        QVERIFY(prompt.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    void enterDenies()
    {
        // The default button is Deny: Enter, even while typing a reason, never approves.
        Ui::ApprovalPrompt prompt(emailItem());
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));
        QVERIFY(prompt.denyButton()->isDefault());
        QVERIFY(!prompt.allowButton()->isDefault());
        QVERIFY(!prompt.allowButton()->autoDefault());
        QSignalSpy decided(&prompt, &Ui::ApprovalPrompt::decided);
        prompt.reasonEdit()->setFocus();
        QTest::keyClicks(prompt.reasonEdit(), u"wrong contact"_s);
        QTest::keyClick(prompt.reasonEdit(), Qt::Key_Return);
        QCOMPARE(decided.size(), 1);
        QCOMPARE(decided.at(0).at(0).toLongLong(), 4711);
        QCOMPARE(decided.at(0).at(1).toBool(), false);
        QCOMPARE(decided.at(0).at(2).toString(), u"wrong contact"_s);
        QVERIFY(!prompt.isVisible());
    }

    void buttons_data()
    {
        QTest::addColumn<bool>("allow");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("expectedReason");
        QTest::addRow("allow") << true << QString() << QString();
        QTest::addRow("allow ignores a typed reason") << true << u"typed anyway"_s << QString();
        QTest::addRow("deny") << false << QString() << QString();
        QTest::addRow("deny with reason") << false << u"  not before the QBR  "_s << u"not before the QBR"_s;
    }

    void buttons()
    {
        QFETCH(bool, allow);
        QFETCH(QString, reason);
        QFETCH(QString, expectedReason);
        Ui::ApprovalPrompt prompt(emailItem());
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));
        QSignalSpy decided(&prompt, &Ui::ApprovalPrompt::decided);
        prompt.reasonEdit()->setText(reason);
        QTest::mouseClick(allow ? prompt.allowButton() : prompt.denyButton(), Qt::LeftButton);
        QCOMPARE(decided.size(), 1);
        QCOMPARE(decided.at(0).at(0).toLongLong(), 4711);
        QCOMPARE(decided.at(0).at(1).toBool(), allow);
        QCOMPARE(decided.at(0).at(2).toString(), expectedReason);
        QVERIFY(prompt.isAnswered());
        QVERIFY(!prompt.isVisible());
        // Once only: a second click (or Esc) after the answer says nothing more.
        prompt.show();
        QTest::mouseClick(prompt.allowButton(), Qt::LeftButton);
        QTest::mouseClick(prompt.denyButton(), Qt::LeftButton);
        prompt.reject();
        QCOMPARE(decided.size(), 1);
    }

    void escapeDenies()
    {
        Ui::ApprovalPrompt prompt(emailItem());
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));
        QSignalSpy decided(&prompt, &Ui::ApprovalPrompt::decided);
        QTest::keyClick(&prompt, Qt::Key_Escape);
        QCOMPARE(decided.size(), 1);
        QCOMPARE(decided.at(0).at(1).toBool(), false);
        QVERIFY(!prompt.isVisible());
    }

    void withdrawCloses()
    {
        Ui::ApprovalPrompt prompt(emailItem());
        prompt.show();
        QVERIFY(QTest::qWaitForWindowExposed(&prompt));
        QSignalSpy decided(&prompt, &Ui::ApprovalPrompt::decided);
        QSignalSpy finished(&prompt, &QDialog::finished);
        prompt.withdraw(50);
        // The note explains; nothing can be answered any more; the prompt goes by itself.
        QVERIFY(prompt.noteLabel()->isVisibleTo(&prompt));
        QVERIFY(prompt.noteLabel()->text().contains(u"withdrew"_s));
        QVERIFY(!prompt.allowButton()->isEnabled());
        QVERIFY(!prompt.denyButton()->isEnabled());
        QVERIFY(prompt.isVisible());
        const QString path = screenshotDir() + u"/approval-prompt-withdrawn.png"_s;
        QVERIFY(prompt.grab().save(path));
        QVERIFY(finished.wait());
        QVERIFY(!prompt.isVisible());
        QCOMPARE(decided.size(), 0);
        QVERIFY(prompt.isWithdrawn());
    }

    void noArguments()
    {
        Ui::ApprovalPrompt prompt(Ui::ApprovalItem { 1, {}, u"recompute_health"_s, {}, u"health"_s, {} });
        QVERIFY(prompt.argumentLines().isEmpty());
        const QString heading = prompt.findChild<QLabel *>(u"approvalHeading"_s)->text();
        QVERIFY2(heading.contains(u"An AI assistant"_s), qPrintable(heading));
        QVERIFY2(heading.contains(u"recompute_health"_s), qPrintable(heading));
    }
};

QTEST_MAIN(TestApprovalPrompt)
#include "tst_approvalprompt.moc"
