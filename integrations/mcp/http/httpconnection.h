// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "httpserver.h"
#include "requestparser.h"

class QTcpSocket;

namespace Mcp::Http {

// One client connection of HttpServer (internal; the handler sees Responder and StreamingResponse only).
// Reads and parses, hands requests to the handler one at a time in arrival order, writes each response in one
// piece, keeps the connection alive per RFC 9112 §9.3 and enforces the idle and request timeouts. Many connections
// share the server's event loop: nothing here blocks (DESIGN.md §7: never a thread per connection).
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    // Takes ownership of `socket` (already connected).
    HttpConnection(QTcpSocket *socket, const ServerOptions &options, const Handler &handler, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Over the connection limit: answer 503 with Retry-After (RFC 9110 §15.6.4, §10.2.3) and close.
    void rejectBusy(int retryAfterSeconds);
    // Drops the connection now (server stopping); open exchanges see clientDisconnected.
    void abortConnection();

    [[nodiscard]] QHostAddress peerAddress() const { return m_peerAddress; }
    [[nodiscard]] quint16 peerPort() const { return m_peerPort; }
    [[nodiscard]] bool isClosed() const { return m_closed; }

Q_SIGNALS:
    // The socket is gone; the server deletes the connection (later).
    void closed(Mcp::Http::HttpConnection *connection);

private:
    friend class Responder;
    friend class StreamingResponse;

    void pump();
    bool readInput();
    bool dispatchOne();
    void updateTimers();

    void sendResponse(Responder *responder, HttpResponse response);
    void startStream(Responder *responder, StreamingResponse *stream, const HttpHeaders &headers, int status);
    bool writeStreamPayload(StreamingResponse *stream, QByteArrayView payload);
    void endStream(StreamingResponse *stream);
    void finishExchange(bool closeAfter);
    void sendFinalError(int status, const QByteArray &message);
    void closeGracefully();
    void shutdownWriteSide();
    void onDisconnected();
    void logExchange(const HttpRequest &request, int status, qint64 bytes, const char *note = "") const;
    void addConnectionHeaders(HttpHeaders &headers, const HttpRequest &request, bool closeAfter) const;

    QTcpSocket *m_socket;
    const ServerOptions m_options;
    const Handler m_handler;
    RequestParser m_parser;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;

    QPointer<Responder> m_active; // the request being answered
    QPointer<StreamingResponse> m_stream; // its stream, when it opened one
    QElapsedTimer m_exchangeClock; // for the access log
    QElapsedTimer m_requestClock; // since the first byte of the request being received
    qint64 m_streamBytes = 0; // written on the open stream, for the access log
    QTimer m_idleTimer;
    QTimer m_requestTimer;
    QTimer m_lingerTimer;
    bool m_continueOwed = false; // "100 Continue" to send once the request with the expectation is next in line
    bool m_closing = false; // no more requests: the last response is on its way out
    bool m_writeShutdown = false;
    bool m_closed = false;
    bool m_pumping = false;
    bool m_pumpAgain = false;
};

} // namespace Mcp::Http
