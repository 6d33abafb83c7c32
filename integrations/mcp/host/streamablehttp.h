// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "httpserver.h"

namespace Mcp {

class Server;
class ToolRegistry;

struct StreamableHttpOptions
{
    QByteArray path = "/mcp";
    // The bearer token every request must carry (DESIGN.md §5). Empty = no token required: only
    // `csdesk --headless --mcp-no-auth`, for the conformance suite's client, which cannot send one.
    QString token;
    // SSE comment sent on an idle GET stream so a client that went away is noticed (and proxies keep it open).
    int keepAliveMs = 15'000;
};

// MCP Streamable HTTP (basic/transports, 2025-11-25) on our HTTP layer: one endpoint, POST for JSON-RPC (a JSON
// body, or an SSE stream when a tools/call may send notifications before its result), GET for the session's
// server-to-client stream, DELETE to end the session. Checks, in this order, before any MCP work:
//   path /mcp (404) · method (405 + Allow) · Host and Origin loopback names (403; DNS-rebinding defence) ·
//   bearer token in constant time (401 + WWW-Authenticate) · Accept (406) · Content-Type (415) ·
//   MCP-Protocol-Version a revision we speak (400) · Mcp-Session-Id present (400) and known (404).
// Lives on the MCP thread with the Server and the HttpServer.
class StreamableHttp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamableHttp)

public:
    StreamableHttp(Server &server, const ToolRegistry &tools, StreamableHttpOptions options, QObject *parent = nullptr);
    ~StreamableHttp() override;

    // The HttpServer handler.
    void handle(const Http::HttpRequest &request, Http::Responder &responder);

    // A new bearer token (the desktop's "new token"): requests from then on must carry it; sessions stay, so a
    // client that presents the new token keeps its session. Empty is refused (a token is never switched off at
    // run time).
    void setToken(const QString &token);

    // Loopback names only: "127.0.0.1", "localhost", "[::1]", each with an optional port.
    static bool isLoopbackHost(QByteArrayView host);
    // An Origin header (RFC 6454) naming a loopback host over http or https.
    static bool isLoopbackOrigin(QByteArrayView origin);

private:
    void post(const Http::HttpRequest &request, Http::Responder &responder);
    void get(const Http::HttpRequest &request, Http::Responder &responder);
    void remove(const Http::HttpRequest &request, Http::Responder &responder);
    void closeStream(const QString &sessionId);

    Server &m_server;
    const ToolRegistry &m_tools;
    StreamableHttpOptions m_options;
    QHash<QString, QPointer<Http::StreamingResponse>> m_getStreams; // one server stream per session
    QTimer m_keepAlive;
};

} // namespace Mcp
