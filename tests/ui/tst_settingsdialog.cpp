// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include "screenshots.h"
#include "settingsdialog.h"

using namespace Qt::StringLiterals;

namespace {

using TestUtils::screenshotDir;

const QString kToken = u"q3J8mZr0x5kU2c9Vd1fTnWb7yLhA4sEoGiKpQ6tRjXw"_s;

// Toolsets shaped like the server's (McpHost::toolsets()): some with write tools, two read-only.
Ui::McpSettings sample()
{
    Ui::McpSettings s;
    s.port = 47821;
    s.toolsets = {
        { u"core"_s, 5, 2, { u"register_client"_s, u"get_client_overview"_s } },
        { u"onboarding"_s, 8, 4, {} },
        { u"health"_s, 8, 1, {} },
        { u"retention"_s, 7, 3, {} },
        { u"communication"_s, 6, 5, { u"send_personalized_email"_s } },
        { u"support"_s, 6, 4, {} },
        { u"expansion"_s, 4, 0, {} },
        { u"feedback"_s, 4, 1, {} },
        { u"monitors"_s, 3, 1, {} },
        { u"search"_s, 4, 2, {} },
        { u"reports"_s, 3, 0, {} },
    };
    s.enabledToolsets = {};
    s.askFirstToolsets = { u"communication"_s };
    return s;
}

int rowOf(QTableWidget *table, const QString &name)
{
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, Ui::McpSettingsPage::NameColumn)->text() == name)
            return row;
    }
    return -1;
}

} // namespace

class TestSettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fillsFromSettings()
    {
        Ui::SettingsDialog dialog(sample());
        auto *page = dialog.mcpPage();
        QCOMPARE(dialog.tabs()->count(), 1);
        QCOMPARE(dialog.tabs()->tabText(0), u"AI assistants (MCP)"_s);
        QCOMPARE(page->portBox()->value(), 47821);
        QCOMPARE(page->endpointLabel()->text(), u"http://127.0.0.1:47821/mcp"_s);
        QTableWidget *table = page->toolsetTable();
        QCOMPARE(table->rowCount(), 11);
        const int communication = rowOf(table, u"communication"_s);
        QCOMPARE(table->item(communication, Ui::McpSettingsPage::ToolsColumn)->text(), u"6"_s);
        QCOMPARE(table->item(communication, Ui::McpSettingsPage::WriteToolsColumn)->text(), u"5"_s);
        QCOMPARE(table->item(communication, Ui::McpSettingsPage::AskFirstColumn)->checkState(), Qt::Checked);
        QCOMPARE(table->item(communication, Ui::McpSettingsPage::EnabledColumn)->checkState(), Qt::Checked);
        // Unchanged settings come back as they went in (empty enabled list = every toolset).
        const Ui::McpSettings out = dialog.mcpSettings();
        QVERIFY(out == sample());
        QVERIFY(out.enabledToolsets.isEmpty());
    }

    void askFirstOnlyForToolsetsThatWrite_data()
    {
        QTest::addColumn<QString>("toolset");
        QTest::addColumn<bool>("checkable");
        QTest::addRow("core writes") << u"core"_s << true;
        QTest::addRow("health writes once") << u"health"_s << true;
        QTest::addRow("expansion is read-only") << u"expansion"_s << false;
        QTest::addRow("reports is read-only") << u"reports"_s << false;
    }

    void askFirstOnlyForToolsetsThatWrite()
    {
        QFETCH(QString, toolset);
        QFETCH(bool, checkable);
        Ui::SettingsDialog dialog(sample());
        QTableWidget *table = dialog.mcpPage()->toolsetTable();
        QTableWidgetItem *askFirst = table->item(rowOf(table, toolset), Ui::McpSettingsPage::AskFirstColumn);
        QCOMPARE(bool(askFirst->flags() & Qt::ItemIsEnabled), checkable);
        // Even when forced on, a read-only toolset never ends up in the ask-first set.
        askFirst->setCheckState(Qt::Checked);
        QCOMPARE(dialog.mcpSettings().askFirstToolsets.contains(toolset), checkable);
    }

    void togglesProduceTheSettings()
    {
        Ui::SettingsDialog dialog(sample());
        auto *page = dialog.mcpPage();
        QTableWidget *table = page->toolsetTable();
        QSignalSpy applied(&dialog, &Ui::SettingsDialog::mcpSettingsApplied);
        table->item(rowOf(table, u"support"_s), Ui::McpSettingsPage::EnabledColumn)->setCheckState(Qt::Unchecked);
        table->item(rowOf(table, u"monitors"_s), Ui::McpSettingsPage::EnabledColumn)->setCheckState(Qt::Unchecked);
        table->item(rowOf(table, u"core"_s), Ui::McpSettingsPage::AskFirstColumn)->setCheckState(Qt::Checked);
        table->item(rowOf(table, u"communication"_s), Ui::McpSettingsPage::AskFirstColumn)
            ->setCheckState(Qt::Unchecked);
        page->portBox()->setValue(50123);
        QCOMPARE(page->endpointLabel()->text(), u"http://127.0.0.1:50123/mcp"_s);

        dialog.buttons()->button(QDialogButtonBox::Apply)->click();
        QCOMPARE(applied.size(), 1);
        const auto out = applied.at(0).at(0).value<Ui::McpSettings>();
        QCOMPARE(out.port, 50123);
        QCOMPARE(out.enabledToolsets,
            (QStringList { u"core"_s, u"onboarding"_s, u"health"_s, u"retention"_s, u"communication"_s, u"expansion"_s,
                u"feedback"_s, u"search"_s, u"reports"_s }));
        QCOMPARE(out.askFirstToolsets, (QSet<QString> { u"core"_s }));
        QCOMPARE(out.toolsets.size(), 11);
    }

    void noToolsetIsRefused()
    {
        Ui::SettingsDialog dialog(sample());
        QTableWidget *table = dialog.mcpPage()->toolsetTable();
        QSignalSpy applied(&dialog, &Ui::SettingsDialog::mcpSettingsApplied);
        for (int row = 0; row < table->rowCount(); ++row)
            table->item(row, Ui::McpSettingsPage::EnabledColumn)->setCheckState(Qt::Unchecked);
        QVERIFY(!dialog.mcpPage()->isValid());
        QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
        QVERIFY(!dialog.buttons()->button(QDialogButtonBox::Apply)->isEnabled());
        table->item(0, Ui::McpSettingsPage::EnabledColumn)->setCheckState(Qt::Checked);
        QVERIFY(dialog.buttons()->button(QDialogButtonBox::Ok)->isEnabled());
        dialog.buttons()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(applied.size(), 1);
        QCOMPARE(applied.at(0).at(0).value<Ui::McpSettings>().enabledToolsets, QStringList { u"core"_s });
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }

    void tokenMaskedUntilShown()
    {
        Ui::SettingsDialog dialog(sample());
        auto *page = dialog.mcpPage();
        page->setToken(kToken);
        QCOMPARE(page->tokenEdit()->echoMode(), QLineEdit::Password);
        for (int i = 0; i < Ui::McpSettingsPage::SnippetCount; ++i) {
            const QString text = page->snippet(Ui::McpSettingsPage::Snippet(i));
            QVERIFY2(!text.contains(kToken), qPrintable(text));
            QVERIFY2(text.contains(u"Bearer <token>"_s), qPrintable(text));
            QVERIFY2(text.contains(u"http://127.0.0.1:47821/mcp"_s), qPrintable(text));
        }
        page->showTokenButton()->click();
        QCOMPARE(page->tokenEdit()->echoMode(), QLineEdit::Normal);
        QCOMPARE(page->tokenEdit()->text(), kToken);
        QCOMPARE(page->showTokenButton()->text(), u"Hide"_s);
        for (int i = 0; i < Ui::McpSettingsPage::SnippetCount; ++i)
            QVERIFY(page->snippet(Ui::McpSettingsPage::Snippet(i)).contains(u"Bearer "_s + kToken));
        page->showTokenButton()->click();
        QCOMPARE(page->tokenEdit()->echoMode(), QLineEdit::Password);
        QVERIFY(!page->snippet(Ui::McpSettingsPage::VsCode).contains(kToken));
    }

    void snippetsAreValidConfiguration()
    {
        // The JSON snippets parse, and carry the shapes the clients read.
        const QString url = u"http://127.0.0.1:47821/mcp"_s;
        QJsonParseError error;
        const auto claude = QJsonDocument::fromJson(
            Ui::McpSettingsPage::snippetText(Ui::McpSettingsPage::ClaudeDesktop, url, kToken).toUtf8(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonObject claudeServer = claude.object()[u"mcpServers"_s][u"csdesk"_s].toObject();
        QCOMPARE(claudeServer[u"url"_s].toString(), url);
        QCOMPARE(claudeServer[u"headers"_s][u"Authorization"_s].toString(), u"Bearer "_s + kToken);
        const auto vscode = QJsonDocument::fromJson(
            Ui::McpSettingsPage::snippetText(Ui::McpSettingsPage::VsCode, url, kToken).toUtf8(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonObject vsServer = vscode.object()[u"servers"_s][u"csdesk"_s].toObject();
        QCOMPARE(vsServer[u"type"_s].toString(), u"http"_s);
        QCOMPARE(vsServer[u"url"_s].toString(), url);
        QCOMPARE(vsServer[u"headers"_s][u"Authorization"_s].toString(), u"Bearer "_s + kToken);
        const QString curl = Ui::McpSettingsPage::snippetText(Ui::McpSettingsPage::Curl, url, kToken);
        QVERIFY(curl.startsWith(u"curl -sS "_s + url));
        QVERIFY(curl.contains(u"-H 'Authorization: Bearer "_s + kToken + u'\''));
        QVERIFY(curl.contains(u"\"method\":\"initialize\""_s));
    }

    void copyPutsItOnTheClipboard_data()
    {
        QTest::addColumn<int>("snippet");
        QTest::addRow("Claude Desktop") << int(Ui::McpSettingsPage::ClaudeDesktop);
        QTest::addRow("VS Code") << int(Ui::McpSettingsPage::VsCode);
        QTest::addRow("curl") << int(Ui::McpSettingsPage::Curl);
    }

    void copyPutsItOnTheClipboard()
    {
        QFETCH(int, snippet);
        Ui::SettingsDialog dialog(sample());
        auto *page = dialog.mcpPage();
        page->setToken(kToken);
        QGuiApplication::clipboard()->clear();
        // Copying is deliberate, so the copy carries the real token even while the screen shows <token>.
        page->copySnippetButton(Ui::McpSettingsPage::Snippet(snippet))->click();
        QCOMPARE(QGuiApplication::clipboard()->text(),
            Ui::McpSettingsPage::snippetText(Ui::McpSettingsPage::Snippet(snippet), page->endpointUrl(), kToken));
        page->copyTokenButton()->click();
        QCOMPARE(QGuiApplication::clipboard()->text(), kToken);
    }

    void newTokenAsksFirst_data()
    {
        QTest::addColumn<bool>("confirm");
        QTest::addRow("confirmed") << true;
        QTest::addRow("cancelled") << false;
    }

    void newTokenAsksFirst()
    {
        QFETCH(bool, confirm);
        Ui::SettingsDialog dialog(sample());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy requested(&dialog, &Ui::SettingsDialog::newMcpTokenRequested);
        bool sawBox = false;
        QTimer::singleShot(0, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            sawBox = true;
            // Cancel is the default: Enter alone never replaces the token.
            QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
            for (QAbstractButton *button : box->buttons()) {
                if (confirm ? box->buttonRole(button) == QMessageBox::DestructiveRole
                            : button == box->button(QMessageBox::Cancel))
                    button->click();
            }
        });
        dialog.mcpPage()->newTokenButton()->click();
        QVERIFY(sawBox);
        QCOMPARE(requested.size(), confirm ? 1 : 0);
        // The app answers with the new token; the page shows it.
        dialog.mcpPage()->setToken(kToken);
        QCOMPARE(dialog.mcpPage()->tokenEdit()->text(), kToken);
    }

    void screenshot()
    {
        Ui::SettingsDialog dialog(sample());
        dialog.mcpPage()->setToken(kToken);
        dialog.mcpPage()->setServerStatus(u"Running: 3 sessions"_s);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QString path = screenshotDir() + u"/settings-mcp.png"_s;
        QVERIFY(dialog.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
