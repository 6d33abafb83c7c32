// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <memory>

#include <QByteArray>
#include <QObject>
#include <QString>

class QSocketNotifier;

namespace Mcp {

class Server;
class ReplyChannel;

// The stdio transport (MCP basic/transports §stdio): newline-delimited JSON-RPC messages on the input, our
// messages on the output, one implicit session. The output carries nothing but protocol (our logs go to stderr
// through Qt's message handler). The input is read through a QSocketNotifier on its file descriptor, so the
// event loop never blocks on it; the app passes 0 and 1, the tests a pair of pipes. End of input (the client
// closed our stdin: its way to shut us down) ends the session and emits finished().
class StdioTransport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StdioTransport)

public:
    // A line longer than this is skipped and answered with -32600 (id null): a client must not make us hold an
    // unbounded buffer.
    static constexpr qsizetype kMaxLineBytes = 4 * 1024 * 1024;

    // Does not take ownership of the descriptors.
    StdioTransport(Server &server, int inputFd, int outputFd, QObject *parent = nullptr);
    ~StdioTransport() override;

    // Starts reading the input (after the caller connected finished()).
    void start();
    QString sessionId() const { return m_sessionId; }

    // The input path without a descriptor: bytes as they arrive, then the end. start() uses these.
    void feed(const QByteArray &bytes);
    void endOfInput();

Q_SIGNALS:
    // The input ended (or failed); the session has been ended. Emitted once.
    void finished();

private:
    void readAvailable();
    void handleLine(const QByteArray &line);
    void write(const QByteArray &message);

    Server &m_server;
    int m_inputFd;
    int m_outputFd;
    QString m_sessionId;
    QSocketNotifier *m_notifier = nullptr;
    std::shared_ptr<ReplyChannel> m_channel;
    QByteArray m_buffer;
    bool m_skippingLine = false; // inside a line that went over kMaxLineBytes
    bool m_finished = false;
};

} // namespace Mcp
