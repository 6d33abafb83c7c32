// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QDialog>
#include <QJsonObject>
#include <QString>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace Ui {

// One write call held for the CSM ("ask me first", DESIGN.md §5), as the prompt shows it. The app fills it from
// the MCP server's request; the ui never sees an Mcp type.
struct ApprovalItem
{
    qint64 actionId = 0; // the pending agent_actions row
    QString clientName;
    QString tool;
    QString toolTitle;
    QString toolset;
    QJsonObject arguments;
};

// The CSM's prompt for one held write call: non-modal, one window per pending call (each answered on its own, so a
// second request never replaces the one being read). Enter answers Deny — approving takes a deliberate click or
// Alt+A. Closing the window (Esc, the title bar) also denies: a call must not wait for ever on a prompt nobody sees.
class ApprovalPrompt final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApprovalPrompt)

public:
    static constexpr int kMaxValueLength = 120; // longer argument values are elided in the field list

    explicit ApprovalPrompt(ApprovalItem item, QWidget *parent = nullptr);

    const ApprovalItem &item() const { return m_item; }
    bool isAnswered() const { return m_answered; }

    // The agent cancelled (or went away) before the CSM answered: say so, stop accepting an answer, and close after
    // `closeDelayMs` (0 = at once) so the CSM sees why the prompt went.
    void withdraw(int closeDelayMs = 3000);
    bool isWithdrawn() const { return m_withdrawn; }

    QPushButton *allowButton() const { return m_allow; }
    QPushButton *denyButton() const { return m_deny; }
    QLineEdit *reasonEdit() const { return m_reason; }
    QToolButton *fullJsonToggle() const { return m_toggleJson; }
    QPlainTextEdit *fullJson() const { return m_json; }
    QLabel *noteLabel() const { return m_note; }
    // "field: value" lines as shown (elided values).
    QStringList argumentLines() const;

    // "name: value" for a field list: objects and arrays as compact JSON, long values cut to kMaxValueLength.
    static QString displayValue(const QJsonValue &value);

Q_SIGNALS:
    // Exactly once per prompt, unless withdrawn first.
    void decided(qint64 actionId, bool approved, const QString &reason);

public Q_SLOTS:
    void reject() override; // Esc and the window's close button: deny

private:
    void answer(bool approved);

    ApprovalItem m_item;
    bool m_answered = false;
    bool m_withdrawn = false;
    QPushButton *m_allow = nullptr;
    QPushButton *m_deny = nullptr;
    QLineEdit *m_reason = nullptr;
    QToolButton *m_toggleJson = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QLabel *m_note = nullptr;
    QList<QLabel *> m_valueLabels;
    QStringList m_fieldNames;
};

} // namespace Ui
