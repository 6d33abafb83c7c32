// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "httpserver.h"

#include <algorithm>

#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>

#include "httpconnection.h"

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Mcp::Http {

HttpServer::HttpServer(ServerOptions options, Handler handler, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_handler(std::move(handler))
{ }

HttpServer::~HttpServer()
{
    stop();
}

bool HttpServer::start()
{
    if (m_server && m_server->isListening())
        return true;
    if (!m_server) {
        // Created here, on the thread start() runs on, so the listening socket belongs to the server's thread.
        m_server = new QTcpServer(this);
        // Room in the kernel's accept queue for a burst of clients connecting at once (Qt's default is 50).
        m_server->setListenBacklogSize(std::max(50, m_options.maxConnections));
        connect(m_server, &QTcpServer::newConnection, this, &HttpServer::acceptPending);
    }
    if (!m_server->listen(m_options.address, m_options.port)) {
        const QString message = m_server->errorString();
        qCWarning(lcHttp).noquote() << "cannot listen on" << m_options.address.toString() << m_options.port << ':'
                                    << message;
        Q_EMIT startFailed(message);
        return false;
    }
    m_port.store(m_server->serverPort());
    m_listening.store(true);
    qCInfo(lcHttp).noquote() << "listening on" << m_server->serverAddress().toString() << m_server->serverPort();
    Q_EMIT started(m_server->serverPort());
    return true;
}

void HttpServer::stop()
{
    if (m_server)
        m_server->close();
    const bool wasListening = m_listening.exchange(false);
    m_port.store(0);
    // Every connection goes, streams included: their owners see clientDisconnected()/finished().
    const QSet<HttpConnection *> connections = m_connections + m_rejected;
    m_connections.clear();
    m_rejected.clear();
    for (HttpConnection *connection : connections) {
        disconnect(connection, nullptr, this, nullptr);
        connection->abortConnection();
        // Later: stop() may run from inside a handler of that very connection.
        connection->deleteLater();
    }
    if (m_connectionCount.exchange(0) != 0)
        Q_EMIT connectionCountChanged(0);
    if (wasListening) {
        qCInfo(lcHttp) << "stopped";
        Q_EMIT stopped();
    }
}

void HttpServer::acceptPending()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        auto *connection = new HttpConnection(socket, m_options, m_handler, this);
        connect(connection, &HttpConnection::closed, this, &HttpServer::connectionClosed);
        if (m_connections.size() >= m_options.maxConnections) {
            rejectOverLimit(connection);
            continue;
        }
        m_connections.insert(connection);
        m_connectionCount.store(int(m_connections.size()));
        Q_EMIT connectionCountChanged(int(m_connections.size()));
    }
}

void HttpServer::rejectOverLimit(HttpConnection *connection)
{
    // Answer 503 + Retry-After rather than close silently: a bare close looks like a crash to an MCP client and it
    // reconnects at once, whereas Retry-After tells it to back off (RFC 9110 §15.6.4, §10.2.3). The connection
    // costs one small write and a short linger; it does not count against the limit.
    if (m_rejected.size() >= m_options.maxConnections) {
        // A flood: even the polite refusals are capped; these get a plain close.
        connection->abortConnection();
        return;
    }
    qCWarning(lcHttp) << "connection limit" << m_options.maxConnections << "reached: answering 503";
    m_rejected.insert(connection);
    connection->rejectBusy(m_options.retryAfterSeconds);
}

void HttpServer::connectionClosed(HttpConnection *connection)
{
    if (m_connections.remove(connection)) {
        m_connectionCount.store(int(m_connections.size()));
        Q_EMIT connectionCountChanged(int(m_connections.size()));
    } else {
        m_rejected.remove(connection);
    }
    connection->deleteLater();
}

} // namespace Mcp::Http
