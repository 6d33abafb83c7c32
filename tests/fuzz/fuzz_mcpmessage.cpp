// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
//
// libFuzzer target for the JSON-RPC layer of the MCP server: the bytes a client sends (one stdio line, one HTTP POST
// body) through Mcp::Server::parse and Server::handleMessage, as both transports do, into a real server: every
// toolset of the real tool registry (so tools/call checks arguments against the real input schemas), the CS
// resources and prompts, over a small demo portfolio in a temporary database made once per process.
//
// Input: the first byte picks the session (not initialized; initialized at 2025-11-25, 2025-03-26 — the revision
// with batches — or 2025-06-18) and whether the reply channel streams; the rest is up to 16 messages, one per line,
// each sent on a channel of its own, on one session that is ended afterwards.
//
// Never crashes, leaks or hits undefined behaviour (ASan/UBSan), and checks the JSON-RPC contract: bytes that are
// not JSON get one -32700 error with id null; every message that is neither a notification nor a response gets
// exactly one response (the request's own id when it had a valid one, null otherwise) — unless the same batch
// cancelled it — and notifications and responses get none; a 2025-03-26 batch is answered with one array of all its
// responses; every response is {"jsonrpc":"2.0","id",...} with either an object result or an error with an integer
// code and a string message; what else the server sends is a notification. Write tools go to "ask me first" and
// the headless gate refuses them (after validation), so the portfolio stays as it was made (only the audit of agent
// calls grows) and inputs reproduce.
//
// In the main build only (CS_BUILD_FUZZERS, top-level CMakeLists.txt): it needs most of the project. The seed corpus
// is replayed in every build by fuzz_mcpmessage_replay (tests/mcp/CMakeLists.txt), on both databases.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QThread>

#include "demoportfolio.h"
#include "fakeclock.h"
#include "fuzzcheck.h"
#include "mcpserver.h"
#include "promptregistry.h"
#include "resourceregistry.h"
#include "services.h"
#include "testdatabase.h"
#include "toolregistry.h"

using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxMessages = 16;
constexpr int kSkipped = 77; // SKIP_RETURN_CODE of fuzz_mcpmessage_replay(_pg)
// A response still missing after this long is lost, not slow: every tool of an empty-ish portfolio answers in ms.
constexpr int kResponseDeadlineMs = 20000;

// What the transport would have written.
class RecordingChannel final : public Mcp::ReplyChannel
{
public:
    explicit RecordingChannel(bool stream)
        : m_stream(stream)
    { }
    void send(const QJsonObject &message) override { messages.append(message); }
    void sendBatch(const QJsonArray &responses) override { batches.append(responses); }
    bool canStream() const override { return m_stream; }

    QList<QJsonObject> messages;
    QList<QJsonArray> batches;

private:
    bool m_stream;
};

struct Fixture
{
    std::unique_ptr<QCoreApplication> app;
    std::unique_ptr<TestUtils::TestDatabase> database;
    TestUtils::FakeClock clock;
    std::unique_ptr<Core::Services> services;
    Mcp::ToolRegistry tools;
    Mcp::ResourceRegistry resources;
    Mcp::PromptRegistry prompts;
    std::unique_ptr<Mcp::Server> server;
};
Fixture *g_fixture = nullptr;

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "fuzz_mcpmessage: %s\n", qPrintable(what));
    std::abort();
}

// MCP basic: a request id is a string or an integer. Decided by Qt's own double-to-integer conversion
// (QJsonValue::toInteger answers its default unless the number is exactly a qint64), not by a copy of the
// server's check, so that a mistake in that check shows here.
bool isValidId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    return id.isDouble() && id.toInteger(0) == id.toInteger(1);
}

bool isNotification(const QJsonObject &m)
{
    return m.value(u"jsonrpc"_s) == u"2.0"_s && m.value(u"method"_s).isString() && !m.contains(u"id"_s);
}

bool isClientResponse(const QJsonObject &m)
{
    return m.value(u"jsonrpc"_s) == u"2.0"_s && !m.contains(u"method"_s) && m.contains(u"id"_s)
        && (m.contains(u"result"_s) || m.contains(u"error"_s));
}

// The response a message must get: none (notification, response), one with its id, or one with id null.
enum class Expect { Nothing, OwnId, NullId };

Expect expectationOf(const QJsonValue &message)
{
    if (!message.isObject())
        return Expect::NullId;
    const QJsonObject m = message.toObject();
    if (isNotification(m) || isClientResponse(m))
        return Expect::Nothing;
    return isValidId(m.value(u"id"_s)) ? Expect::OwnId : Expect::NullId;
}

void checkResponse(const QJsonObject &r)
{
    FUZZ_CHECK(r.value(u"jsonrpc"_s) == u"2.0"_s);
    FUZZ_CHECK(r.contains(u"id"_s));
    FUZZ_CHECK(r.value(u"id"_s).isNull() || isValidId(r.value(u"id"_s)));
    FUZZ_CHECK(r.contains(u"result"_s) != r.contains(u"error"_s));
    if (r.contains(u"result"_s)) {
        FUZZ_CHECK(r.value(u"result"_s).isObject());
        return;
    }
    const QJsonValue error = r.value(u"error"_s);
    FUZZ_CHECK(error.isObject());
    const QJsonValue code = error.toObject().value(u"code"_s);
    FUZZ_CHECK(code.isDouble() && std::trunc(code.toDouble()) == code.toDouble());
    FUZZ_CHECK(error.toObject().value(u"message"_s).isString());
}

void checkNotification(const QJsonObject &n)
{
    FUZZ_CHECK(n.value(u"jsonrpc"_s) == u"2.0"_s);
    FUZZ_CHECK(n.value(u"method"_s).isString());
    FUZZ_CHECK(!n.contains(u"id"_s));
}

// The ids a batch cancels (notifications/cancelled inside it): their requests may end without a response.
QSet<QString> cancelledIn(const QJsonArray &batch)
{
    QSet<QString> ids;
    for (const QJsonValue &m : batch) {
        const QJsonObject o = m.toObject();
        if (isNotification(o) && o.value(u"method"_s) == u"notifications/cancelled"_s)
            ids.insert(
                QString::fromUtf8(QJsonDocument(QJsonArray { o.value(u"params"_s).toObject().value(u"requestId"_s) })
                                      .toJson(QJsonDocument::Compact)));
    }
    return ids;
}

QString idText(const QJsonValue &id)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray { id }).toJson(QJsonDocument::Compact));
}

// Runs the event loop (approvals and worker threads answer through it) until `done` or the deadline.
template<typename Done> void waitFor(Done &&done)
{
    QDeadlineTimer deadline(kResponseDeadlineMs);
    QCoreApplication::processEvents();
    while (!done()) {
        if (deadline.hasExpired())
            fail(u"a request got no response within %1 ms"_s.arg(kResponseDeadlineMs));
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::usleep(200);
    }
    QCoreApplication::processEvents();
}

// One message: its responses, checked against what each part of it must get.
void handle(Mcp::Server &server, Mcp::Session *session, const QByteArray &bytes, bool stream)
{
    auto channel = std::make_shared<RecordingChannel>(stream);
    QJsonObject parseError;
    const std::optional<QJsonValue> message = Mcp::Server::parse(bytes, &parseError);
    if (!message) {
        checkResponse(parseError);
        FUZZ_CHECK(parseError.value(u"id"_s).isNull());
        FUZZ_CHECK(parseError.value(u"error"_s).toObject().value(u"code"_s).toInt() == Mcp::JsonRpc::ParseError);
        return;
    }
    const bool answered = Mcp::Server::containsRequest(*message);
    const auto responses = [&] {
        QList<QJsonObject> list;
        for (const QJsonObject &m : std::as_const(channel->messages)) {
            if (m.contains(u"id"_s))
                list << m;
            else
                checkNotification(m);
        }
        return list;
    };
    server.handleMessage(session, *message, channel);

    const bool batchesAllowed = session->protocolVersion() == u"2025-03-26"_s;
    if (!message->isArray() || !batchesAllowed || message->toArray().isEmpty()) {
        // One message, or a batch refused as a whole: at most one response, in send().
        const Expect expect = message->isArray() ? Expect::NullId : expectationOf(*message);
        // containsRequest() knows no session: it cannot tell that a batch of notifications is refused (and so
        // answered) in a session that negotiated a revision without batches.
        FUZZ_CHECK(answered == (expect != Expect::Nothing) || message->isArray());
        if (expect != Expect::Nothing)
            waitFor([&] { return !responses().isEmpty(); });
        else
            QCoreApplication::processEvents();
        const QList<QJsonObject> got = responses();
        FUZZ_CHECK(channel->batches.isEmpty());
        FUZZ_CHECK(got.size() == (expect == Expect::Nothing ? 0 : 1));
        for (const QJsonObject &r : got) {
            checkResponse(r);
            if (expect == Expect::OwnId)
                FUZZ_CHECK(r.value(u"id"_s) == message->toObject().value(u"id"_s));
            else
                FUZZ_CHECK(r.value(u"id"_s).isNull());
        }
        return;
    }

    // A 2025-03-26 batch: one array with a response for every part that needs one, sent once all are in.
    const QJsonArray batch = message->toArray();
    const QSet<QString> cancelled = cancelledIn(batch);
    QList<QString> wanted; // ids as JSON text, one per expected response
    bool mayBeCancelled = false;
    for (const QJsonValue &m : batch) {
        const Expect expect = expectationOf(m);
        if (expect == Expect::Nothing)
            continue;
        const QJsonValue id = expect == Expect::OwnId ? m.toObject().value(u"id"_s) : QJsonValue(QJsonValue::Null);
        mayBeCancelled = mayBeCancelled || (expect == Expect::OwnId && cancelled.contains(idText(id)));
        wanted << idText(id);
    }
    FUZZ_CHECK(answered == !wanted.isEmpty());
    if (!wanted.isEmpty() && !mayBeCancelled)
        waitFor([&] { return !channel->batches.isEmpty(); });
    else
        QCoreApplication::processEvents();
    FUZZ_CHECK(responses().isEmpty());
    FUZZ_CHECK(channel->batches.size() <= 1);
    if (wanted.isEmpty() || channel->batches.isEmpty()) {
        FUZZ_CHECK(wanted.isEmpty() || mayBeCancelled);
        return;
    }
    QList<QString> got;
    for (const QJsonValue &r : channel->batches.constFirst()) {
        FUZZ_CHECK(r.isObject());
        checkResponse(r.toObject());
        got << idText(r.toObject().value(u"id"_s));
    }
    std::sort(wanted.begin(), wanted.end());
    std::sort(got.begin(), got.end());
    FUZZ_CHECK(got == wanted);
}

Mcp::Session *openSession(Mcp::Server &server, int mode)
{
    Mcp::Session *session = server.createSession();
    FUZZ_CHECK(session);
    static const QString versions[] = { {}, u"2025-11-25"_s, u"2025-03-26"_s, u"2025-06-18"_s };
    const QString &version = versions[mode & 3];
    if (version.isEmpty())
        return session;
    auto channel = std::make_shared<RecordingChannel>(false);
    const QJsonObject initialize { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, 0 }, { u"method"_s, u"initialize"_s },
        { u"params"_s,
            QJsonObject { { u"protocolVersion"_s, version }, { u"capabilities"_s, QJsonObject {} },
                { u"clientInfo"_s, QJsonObject { { u"name"_s, u"fuzz"_s }, { u"version"_s, u"1"_s } } } } } };
    server.handleMessage(session, initialize, channel);
    server.handleMessage(
        session, QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, u"notifications/initialized"_s } }, channel);
    FUZZ_CHECK(session->protocolVersion() == version);
    return session;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    auto *f = new Fixture;
    f->app = std::make_unique<QCoreApplication>(*argc, *argv); // first: the SQL driver plugins load through it
    // As the Qt Test suites do (CS_REQUIRE_BACKEND): without the database under test, skip unless it is required.
    if (const QString reason = TestUtils::backendUnavailableReason();
        !reason.isEmpty() && !TestUtils::backendRequired()) {
        std::fprintf(stderr, "fuzz_mcpmessage: skipped: %s\n", qPrintable(reason));
        std::exit(kSkipped);
    }
    f->database = std::make_unique<TestUtils::TestDatabase>();
    if (!f->database->isOpen())
        fail(u"no database: "_s + f->database->error());
    f->services = std::make_unique<Core::Services>(f->database->db(), f->clock);
    if (const Core::Status defaults = f->services->ensureDefaults(); !defaults.ok())
        fail(defaults.error().toString());
    Core::DemoPortfolio::Options demo;
    demo.customers = 12;
    demo.seed = 20261125;
    demo.usageEvents = 600;
    demo.today = f->clock.today();
    if (auto generated = Core::DemoPortfolio(f->database->db(), demo).generate(); !generated)
        fail(generated.error().toString());
    if (const QStringList errors = Mcp::registerAllTools(f->tools); !errors.isEmpty())
        fail(errors.join(u"; "_s));
    Mcp::registerCsResources(f->resources);
    Mcp::registerCsPrompts(f->prompts);
    Mcp::ServerOptions options;
    options.version = u"0.0.0-fuzz"_s;
    const QStringList toolsets = f->tools.toolsets();
    options.askFirstToolsets = QSet<QString>(toolsets.begin(), toolsets.end());
    f->server = std::make_unique<Mcp::Server>(f->tools, f->resources, f->prompts, *f->services, options);
    g_fixture = f;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    Mcp::Server &server = *g_fixture->server;
    const int mode = data[0];
    Mcp::Session *session = openSession(server, mode);
    const QString sessionId = session->id();
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QList<QByteArray> lines = rest.split('\n');
    for (qsizetype i = 0; i < lines.size() && i < kMaxMessages; ++i) {
        FUZZ_CHECK(server.session(sessionId) == session);
        handle(server, session, lines.at(i), (mode & 4) != 0);
    }
    server.endSession(sessionId);
    FUZZ_CHECK(server.session(sessionId) == nullptr);
    return 0;
}
