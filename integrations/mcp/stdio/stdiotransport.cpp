// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "stdiotransport.h"

#include <cerrno>
#include <csignal>
#include <unistd.h>

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include "mcpserver.h"

Q_LOGGING_CATEGORY(lcMcpStdio, "cs.mcp.stdio")

using namespace Qt::StringLiterals;

namespace Mcp {

namespace {

// stdio is one stream in each direction: related notifications travel before the response.
class StdioChannel final : public ReplyChannel
{
public:
    explicit StdioChannel(std::function<void(const QByteArray &)> write)
        : m_write(std::move(write))
    { }
    void send(const QJsonObject &message) override { m_write(QJsonDocument(message).toJson(QJsonDocument::Compact)); }
    void sendSerialized(const QByteArray &response) override { m_write(response); }
    void sendBatch(const QJsonArray &responses) override
    {
        m_write(QJsonDocument(responses).toJson(QJsonDocument::Compact));
    }
    bool canStream() const override { return true; }

private:
    std::function<void(const QByteArray &)> m_write;
};

} // namespace

StdioTransport::StdioTransport(Server &server, int inputFd, int outputFd, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_inputFd(inputFd)
    , m_outputFd(outputFd)
{
    Session *session = m_server.createSession();
    Q_ASSERT(session); // the first session of a fresh server
    m_sessionId = session->id();
    session->setOutbound(
        [this](const QJsonObject &message) { write(QJsonDocument(message).toJson(QJsonDocument::Compact)); });
    m_channel = std::make_shared<StdioChannel>([this](const QByteArray &message) { write(message); });
}

StdioTransport::~StdioTransport()
{
    if (!m_finished) {
        m_channel->close();
        m_server.endSession(m_sessionId);
    }
}

void StdioTransport::start()
{
    if (m_notifier || m_finished)
        return;
    // A client that exits while we answer leaves a broken pipe: we want EPIPE and a clean finish, not death by
    // SIGPIPE. (Process-wide, and harmless: nothing in CS Desk relies on the default action.)
    ::signal(SIGPIPE, SIG_IGN);
    m_notifier = new QSocketNotifier(m_inputFd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &StdioTransport::readAvailable);
}

void StdioTransport::readAvailable()
{
    // One read per notification: the notifier said the descriptor is readable, so this does not block.
    char chunk[64 * 1024];
    ssize_t n = 0;
    do {
        n = ::read(m_inputFd, chunk, sizeof chunk);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        feed(QByteArray(chunk, qsizetype(n)));
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n < 0)
        qCWarning(lcMcpStdio) << "reading the MCP input failed:" << qt_error_string(errno);
    endOfInput();
}

void StdioTransport::feed(const QByteArray &bytes)
{
    if (m_finished)
        return;
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', from);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!m_skippingLine) {
            m_buffer.append(bytes.constData() + from, end - from);
            if (m_buffer.size() > kMaxLineBytes) {
                m_buffer.clear();
                m_buffer.squeeze();
                m_skippingLine = true;
                qCWarning(lcMcpStdio) << "skipping an MCP input line over" << kMaxLineBytes << "bytes";
                m_channel->send(JsonRpc::error(
                    QJsonValue::Null, JsonRpc::InvalidRequest, u"Invalid Request: a message is limited to 4 MiB"_s));
            }
        }
        if (newline < 0)
            break;
        if (m_skippingLine) {
            m_skippingLine = false;
        } else {
            const QByteArray line = std::exchange(m_buffer, {});
            handleLine(line);
            if (m_finished)
                return;
        }
        from = newline + 1;
    }
}

void StdioTransport::endOfInput()
{
    if (m_finished)
        return;
    // A last message without its newline is still a message.
    if (!m_skippingLine && !m_buffer.trimmed().isEmpty())
        handleLine(std::exchange(m_buffer, {}));
    m_finished = true;
    if (m_notifier)
        m_notifier->setEnabled(false);
    m_channel->close(); // cancels in-flight work: nobody is left to read the answers
    m_server.endSession(m_sessionId);
    Q_EMIT finished();
}

void StdioTransport::handleLine(const QByteArray &raw)
{
    const QByteArray line = raw.trimmed(); // tolerate CRLF and blank lines
    if (line.isEmpty())
        return;
    Session *session = m_server.session(m_sessionId);
    if (!session)
        return;
    QJsonObject parseError;
    const std::optional<QJsonValue> message = Server::parse(line, &parseError);
    if (!message) {
        m_channel->send(parseError);
        return;
    }
    m_server.handleMessage(session, *message, m_channel);
}

void StdioTransport::write(const QByteArray &message)
{
    if (m_finished)
        return;
    // One write per message, newline included: messages never interleave, and MCP forbids embedded newlines
    // (compact JSON escapes them inside strings).
    QByteArray data = message;
    data.append('\n');
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(m_outputFd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = errno;
            qCWarning(lcMcpStdio) << "writing the MCP output failed:" << qt_error_string(error);
            if (error == EPIPE) // the client is gone: finish as if it had closed our input (not from inside a write)
                QMetaObject::invokeMethod(this, &StdioTransport::endOfInput, Qt::QueuedConnection);
            return;
        }
        done += n;
    }
}

} // namespace Mcp
