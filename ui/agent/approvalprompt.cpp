// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "approvalprompt.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Ui {

using namespace Qt::StringLiterals;

namespace {
QString fullValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        return d == double(qint64(d)) ? QString::number(qint64(d)) : QString::number(d, 'g', 15);
    }
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        break;
    }
    return {};
}
} // namespace

QString ApprovalPrompt::displayValue(const QJsonValue &value)
{
    // One line per field: line breaks in a long text (an email body) show as ⏎ so the list stays readable.
    QString text = fullValue(value);
    text.replace(u"\r\n"_s, u"⏎ "_s).replace(u'\n', u"⏎ "_s);
    if (text.size() > kMaxValueLength)
        text = text.left(kMaxValueLength - 1) + u'…';
    return text;
}

ApprovalPrompt::ApprovalPrompt(ApprovalItem item, QWidget *parent)
    : QDialog(parent)
    , m_item(std::move(item))
    , m_allow(new QPushButton(tr("&Allow")))
    , m_deny(new QPushButton(tr("&Deny")))
    , m_reason(new QLineEdit)
    , m_toggleJson(new QToolButton)
    , m_json(new QPlainTextEdit)
    , m_note(new QLabel)
{
    setObjectName(u"approvalPrompt"_s);
    setModal(false);
    setWindowModality(Qt::NonModal);
    setWindowTitle(tr("Approve an assistant's change?"));
    setMinimumWidth(640);

    auto *layout = new QVBoxLayout(this);

    auto *head = new QHBoxLayout;
    auto *icon = new QLabel;
    const int iconSize = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxQuestion, nullptr, this).pixmap(iconSize, iconSize));
    icon->setAlignment(Qt::AlignTop);
    head->addWidget(icon);
    const QString client = m_item.clientName.isEmpty() ? tr("An AI assistant") : m_item.clientName;
    const QString title = m_item.toolTitle.isEmpty() ? m_item.tool : m_item.toolTitle;
    auto *heading = new QLabel(tr("<b>%1</b> wants to run <b>%2</b>").arg(client.toHtmlEscaped(), title.toHtmlEscaped())
        + u"<br>"_s
        + tr("Tool <code>%1</code> of the <b>%2</b> toolset, which you set to \"ask me first\".")
              .arg(m_item.tool.toHtmlEscaped(), m_item.toolset.toHtmlEscaped()));
    heading->setTextFormat(Qt::RichText);
    heading->setWordWrap(true);
    heading->setObjectName(u"approvalHeading"_s);
    head->addWidget(heading, 1);
    layout->addLayout(head);

    // The arguments, one "field: value" line each.
    auto *fields = new QWidget;
    auto *form = new QFormLayout(fields);
    form->setLabelAlignment(Qt::AlignRight);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    if (m_item.arguments.isEmpty())
        form->addRow(new QLabel(tr("(no arguments)")));
    for (auto it = m_item.arguments.constBegin(); it != m_item.arguments.constEnd(); ++it) {
        auto *value = new QLabel(displayValue(it.value()));
        value->setTextFormat(Qt::PlainText);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        const QString full = fullValue(it.value());
        if (full.size() > kMaxValueLength || full.contains(u'\n'))
            value->setToolTip(full.left(4000));
        form->addRow(it.key() + u':', value);
        m_valueLabels.append(value);
        m_fieldNames.append(it.key());
    }
    auto *scroll = new QScrollArea;
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::StyledPanel);
    // Room for every field when they fit (a value wraps at most once: it is cut at kMaxValueLength); beyond, scroll.
    const int fieldsHeight = form->hasHeightForWidth() ? form->heightForWidth(600) : fields->sizeHint().height();
    scroll->setFixedHeight(qMin(240, fieldsHeight + 2 * scroll->frameWidth() + 4));
    layout->addWidget(scroll);

    m_toggleJson->setText(tr("Full arguments (JSON)"));
    m_toggleJson->setCheckable(true);
    m_toggleJson->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggleJson->setArrowType(Qt::RightArrow);
    m_toggleJson->setAutoRaise(true);
    layout->addWidget(m_toggleJson);
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_item.arguments).toJson(QJsonDocument::Indented)).trimmed());
    m_json->setVisible(false);
    m_json->setMinimumHeight(160);
    layout->addWidget(m_json);
    connect(m_toggleJson, &QToolButton::toggled, this, [this](bool on) {
        m_json->setVisible(on);
        m_toggleJson->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
        adjustSize();
    });

    m_reason->setPlaceholderText(tr("Reason if you deny (optional; the assistant sees it)"));
    m_reason->setMaxLength(500);
    layout->addWidget(m_reason);

    m_note->setWordWrap(true);
    m_note->setVisible(false);
    m_note->setObjectName(u"approvalNote"_s);
    layout->addWidget(m_note);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    // Deny is the default button: Enter (in the reason line too) must never approve a change.
    m_deny->setDefault(true);
    m_deny->setAutoDefault(true);
    m_allow->setAutoDefault(false);
    m_allow->setDefault(false);
    buttons->addWidget(m_deny);
    buttons->addWidget(m_allow);
    layout->addLayout(buttons);

    connect(m_allow, &QPushButton::clicked, this, [this] { answer(true); });
    connect(m_deny, &QPushButton::clicked, this, [this] { answer(false); });
    m_deny->setFocus();
}

QStringList ApprovalPrompt::argumentLines() const
{
    QStringList lines;
    for (int i = 0; i < m_valueLabels.size(); ++i)
        lines << m_fieldNames.at(i) + u": "_s + m_valueLabels.at(i)->text();
    return lines;
}

void ApprovalPrompt::reject()
{
    if (!m_answered && !m_withdrawn)
        return answer(false);
    QDialog::reject();
}

void ApprovalPrompt::answer(bool approved)
{
    if (m_answered || m_withdrawn)
        return;
    m_answered = true;
    Q_EMIT decided(m_item.actionId, approved, approved ? QString() : m_reason->text().trimmed());
    QDialog::done(approved ? QDialog::Accepted : QDialog::Rejected);
}

void ApprovalPrompt::withdraw(int closeDelayMs)
{
    if (m_answered || m_withdrawn)
        return;
    m_withdrawn = true;
    m_note->setText(tr("The assistant withdrew this request, so there is nothing to decide."));
    m_note->setVisible(true);
    m_allow->setEnabled(false);
    m_deny->setEnabled(false);
    m_reason->setEnabled(false);
    if (closeDelayMs <= 0)
        return QDialog::done(QDialog::Rejected);
    QTimer::singleShot(closeDelayMs, this, [this] { QDialog::done(QDialog::Rejected); });
}

} // namespace Ui
