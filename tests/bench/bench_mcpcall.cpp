// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// The CPU cost of one MCP tools/call inside the server, without sockets: the bytes of a JSON-RPC request in, the
// bytes of its response out, through the same Mcp::Server the HTTP and stdio transports use (one thread, no reader
// hop). Separates what the protocol core and the tools cost from what the transport and the kernel cost, which the
// wrk benchmark (tests/bench/mcp/run-mcp-bench.mjs) measures together.
//
//     bench_mcpcall [--customers N] [--calls K] [--db FILE] [--tool NAME]
//
// Prints, for each tool measured, `BENCH mcpcall_<tool>_us <µs> us/call` (the whole path) and
// `BENCH mcpcall_<tool>_handler_us <µs> us/call` (the tool's handler alone: services and JSON building).
#include <cstdio>
#include <ctime>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTemporaryDir>

#include "clock.h"
#include "conformancefixtures.h"
#include "database.h"
#include "demoportfolio.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "sql.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

namespace {

double cpuSeconds()
{
    timespec t {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// What a transport does with an answer: serialise it to the bytes it would write.
class BytesChannel final : public Mcp::ReplyChannel
{
public:
    void send(const QJsonObject &message) override
    {
        last = QJsonDocument(message).toJson(QJsonDocument::Compact);
        ++answers;
    }
    void sendSerialized(const QByteArray &response) override
    {
        last = response;
        ++answers;
    }
    void sendBatch(const QJsonArray &responses) override
    {
        last = QJsonDocument(responses).toJson(QJsonDocument::Compact);
        ++answers;
    }
    bool canStream() const override { return false; }

    QByteArray last;
    qint64 answers = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"CPU cost of one MCP tools/call inside the server (no sockets)."_s);
    parser.addHelpOption();
    const QCommandLineOption customersOption(
        u"customers"_s, u"Customers in the generated portfolio (default 2000)."_s, u"N"_s, u"2000"_s);
    const QCommandLineOption callsOption(u"calls"_s, u"Calls per tool (default 20000)."_s, u"K"_s, u"20000"_s);
    const QCommandLineOption dbOption(u"db"_s, u"SQLite file to use (generated there if it has none)."_s, u"file"_s);
    const QCommandLineOption toolOption(u"tool"_s, u"Measure only this tool (default: all three)."_s, u"name"_s);
    parser.addOptions({ customersOption, callsOption, dbOption, toolOption });
    parser.process(app);
    const int calls = std::max(1, parser.value(callsOption).toInt());

    QTemporaryDir dir;
    const QString path = parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(u"bench_mcpcall.db"_s);
    auto opened = Storage::Database::open(u"sqlite:"_s + path);
    if (!opened) {
        std::fprintf(stderr, "bench_mcpcall: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    Storage::Database &db = **opened;
    {
        auto existing = Storage::count(db, u"SELECT COUNT(*) FROM customers"_s);
        if (!existing || *existing == 0) {
            Core::DemoPortfolio::Options options;
            options.customers = parser.value(customersOption).toInt();
            options.today = QDate(2026, 6, 15);
            auto made = Core::DemoPortfolio(db, options).generate();
            if (!made) {
                std::fprintf(stderr, "bench_mcpcall: %s\n", qPrintable(made.error().toString()));
                return 1;
            }
        }
    }

    Core::SystemClock clock;
    Core::Services services(db, clock);
    if (auto ok = services.ensureDefaults(); !ok) {
        std::fprintf(stderr, "bench_mcpcall: %s\n", qPrintable(ok.error().toString()));
        return 1;
    }
    Mcp::ToolRegistry tools;
    Mcp::ResourceRegistry resources;
    Mcp::PromptRegistry prompts;
    Mcp::registerConformanceFixtures(tools, resources, prompts);
    if (const QStringList errors = Mcp::registerAllTools(tools); !errors.isEmpty()) {
        std::fprintf(stderr, "bench_mcpcall: %s\n", qPrintable(errors.join(u"; "_s)));
        return 1;
    }
    Mcp::Server server(tools, resources, prompts, services);
    Mcp::Session *session = server.createSession();
    auto channel = std::make_shared<BytesChannel>();
    const QByteArray initialize = R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":)"
                                  R"("2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}})";
    server.handleMessage(session, *Mcp::Server::parse(initialize, nullptr), channel);

    QString someCustomer;
    {
        auto q = Storage::exec(db, u"SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id LIMIT 1"_s);
        if (q && q->next())
            someCustomer = q->value(0).toString();
    }
    struct Case
    {
        QString tool;
        QJsonObject arguments;
    };
    const QList<Case> cases {
        { u"test_simple_text"_s, {} },
        { u"list_clients"_s, QJsonObject { { u"limit"_s, 5 } } },
        { u"get_client_overview"_s, QJsonObject { { u"customer_id"_s, someCustomer } } },
    };
    int failures = 0;
    for (const Case &c : cases) {
        if (parser.isSet(toolOption) && parser.value(toolOption) != c.tool)
            continue;
        const Mcp::RegisteredTool *tool = tools.find(c.tool);
        if (!tool) {
            std::fprintf(stderr, "bench_mcpcall: no tool %s\n", qPrintable(c.tool));
            return 1;
        }
        // The handler alone (the tool's service calls and JSON building).
        Mcp::ToolCall call;
        call.arguments = *tools.prepareArguments(*tool, c.arguments);
        call.services = &services;
        call.reportProgress = [](double, double, const QString &) {};
        call.isCancelled = [] { return false; };
        call.reportLog = [](const QString &, const QJsonValue &) {};
        double start = cpuSeconds();
        for (int i = 0; i < calls; ++i) {
            if (!tool->tool.handler(call))
                ++failures;
        }
        const double handlerUs = (cpuSeconds() - start) * 1e6 / calls;

        // The whole path: request bytes → parse → dispatch → validate → handler → response bytes.
        const qint64 answersBefore = channel->answers;
        start = cpuSeconds();
        for (int i = 0; i < calls; ++i) {
            const QByteArray request = R"({"jsonrpc":"2.0","id":)" + QByteArray::number(i + 1)
                + R"(,"method":"tools/call","params":{"name":")" + c.tool.toUtf8() + R"(","arguments":)"
                + QJsonDocument(c.arguments).toJson(QJsonDocument::Compact) + "}}";
            const std::optional<QJsonValue> message = Mcp::Server::parse(request, nullptr);
            server.handleMessage(session, *message, channel);
        }
        const double wholeUs = (cpuSeconds() - start) * 1e6 / calls;
        if (channel->answers - answersBefore != calls || channel->last.contains(R"("isError":true)")) {
            std::fprintf(stderr, "bench_mcpcall: %s answered %lld of %d calls; last: %s\n", qPrintable(c.tool),
                channel->answers - answersBefore, calls, channel->last.left(300).constData());
            ++failures;
        }
        std::printf("BENCH mcpcall_%s_us %.1f us/call\n", qPrintable(c.tool), wholeUs);
        std::printf("BENCH mcpcall_%s_handler_us %.1f us/call\n", qPrintable(c.tool), handlerUs);
        std::printf("      (%s: response %lld bytes)\n", qPrintable(c.tool), qint64(channel->last.size()));
    }
    return failures == 0 ? 0 : 1;
}
