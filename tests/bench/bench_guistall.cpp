// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// GUI event-loop stall while agents call tools (DESIGN.md §2 and §7: "GUI event-loop stall while 64 sessions call
// tools at a steady half of the server's saturation rate: ≤ 16 ms max").
//
// The window is composed by the app's own DesktopComposition (cs_desktop, as Application::openWindow() and
// startMcpWithToken() use it: MainWindow over a CustomerService with the portfolio read on a thread of its own, the
// agent-activity dock reading the audit on this thread, DesktopApprovals, McpHost serving Streamable HTTP on threads of
// its own that run nicer than this one, its actionRecorded/approval signals reaching the dock queued). A load generator
// on a QThread of its own (one event loop, keep-alive QTcpSocket connections, one initialised MCP session each) calls a
// mix of tools: mostly reads (list_clients with a small page, get_client_overview of a random customer) and about 10 %
// audited writes (collect_feedback recording a promoter's NPS answer on a random customer), which reach the dock.
//
//   phase 1 "saturation": every session calls back to back for S/2 seconds → the server's calls/s;
//   phase 2 "paced":      the same sessions at half that rate, evenly spaced per session, for S seconds, while a
//                         1 ms Qt::PreciseTimer on the GUI thread records the gaps between its ticks; the stall is
//                         a gap minus the interval;
//   phase 3 "with user":  the same load for S more seconds while the CSM works in the window: every 200 ms the
//                         portfolio's sort column or name filter changes (a header click, a filter typed).
//
// Prints BENCH lines (calls/s, stall max and p99 with and without the user, the GUI thread's CPU time) and the number
// of failed calls: any non-200 answer, JSON-RPC error or isError result fails the exit code. A stall over the target
// prints an "over target" line but does not fail the exit code (benchmarks report; tests assert).
//     QT_QPA_PLATFORM=offscreen bench_guistall [--customers N] [--seconds S] [--sessions 64] [--db FILE]
// --db FILE reuses a SQLite portfolio (generated there first when it has no customers); without it a demo portfolio
// of N customers (default 2000) is generated in a temporary folder.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QTableView>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include "accesstoken.h"
#include "agentactivitymodel.h"
#include "agentactivitypanel.h"
#include "clock.h"
#include "customerservice.h"
#include "database.h"
#include "demoportfolio.h"
#include "desktopcomposition.h"
#include "mainwindow.h"
#include "mcphost.h"
#include "portfoliomodel.h"
#include "services.h"
#include "sql.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr double kTargetMs = 16.0; // DESIGN.md §7
constexpr int kTickMs = 1;
constexpr int kUserActionMs = 200;
constexpr int kWritePercent = 10;
constexpr const char *kProtocolVersion = "2025-11-25";

void bench(const char *name, double value, const char *unit)
{
    std::printf("BENCH %s %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}

double cpuMilliseconds(clockid_t clock)
{
    timespec ts {};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<qint64> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = std::size_t(std::ceil(p * double(values.size())));
    return double(values[std::clamp<std::size_t>(rank, 1, values.size()) - 1]);
}

// The GUI thread's responsiveness: a precise timer that should tick every kTickMs; whatever keeps the event loop busy
// (a slot, a model reset, a query) or keeps the thread off a core shows up as a longer gap between two ticks.
class StallMeter
{
    Q_DISABLE_COPY_MOVE(StallMeter)

public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kTickMs);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const double cpu = cpuMilliseconds(CLOCK_THREAD_CPUTIME_ID);
            const qint64 gap = now - m_last;
            m_gaps.push_back(gap);
            if (gap > m_longestGap) {
                m_longestGap = gap;
                m_longestGapCpuMs = cpu - m_lastCpu;
            }
            m_last = now;
            m_lastCpu = cpu;
        });
    }

    void start()
    {
        m_gaps.clear();
        m_gaps.reserve(100000);
        m_cpuStart = cpuMilliseconds(CLOCK_THREAD_CPUTIME_ID);
        m_lastCpu = m_cpuStart;
        m_longestGap = 0;
        m_longestGapCpuMs = 0;
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }

    struct Stats
    {
        double maxStallMs = 0; // the longest gap minus the interval
        double p99StallMs = 0; // the 99th percentile of (gap − interval)
        double p99GapMs = 0;
        qint64 ticks = 0;
        double seconds = 0;
        double guiThreadCpuMs = 0; // CPU time of the GUI thread meanwhile (all of its work, not only the meter's)
        // How much of the longest gap the GUI thread spent running: close to the gap means work on the GUI thread
        // (a slot, a query, painting); far below it means the thread waited (for a core, a lock, the disk).
        double longestGapCpuMs = 0;
    };

    Stats stop()
    {
        m_timer.stop();
        Stats s;
        s.seconds = double(m_clock.nsecsElapsed()) / 1e9;
        s.guiThreadCpuMs = cpuMilliseconds(CLOCK_THREAD_CPUTIME_ID) - m_cpuStart;
        s.ticks = qint64(m_gaps.size());
        s.longestGapCpuMs = m_longestGapCpuMs;
        if (m_gaps.empty())
            return s;
        const double interval = kTickMs * 1e6;
        s.maxStallMs = std::max(0.0, double(*std::max_element(m_gaps.begin(), m_gaps.end())) - interval) / 1e6;
        s.p99GapMs = percentile(m_gaps, 0.99) / 1e6;
        s.p99StallMs = std::max(0.0, s.p99GapMs - kTickMs);
        return s;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_lastCpu = 0;
    qint64 m_longestGap = 0;
    double m_longestGapCpuMs = 0;
    std::vector<qint64> m_gaps;
    double m_cpuStart = 0;
};

// The GUI thread's slowest event deliveries (outermost notify() only, by the thread's CPU time): which handler a
// stall is made of — a model reset, a paint, a timer's slot.
class TimedApplication final : public QApplication
{
public:
    using QApplication::QApplication;

    struct Delivery
    {
        double cpuMs = 0;
        double wallMs = 0;
        QByteArray what;
    };

    bool notify(QObject *receiver, QEvent *event) override
    {
        thread_local int depth = 0;
        if (depth > 0 || QThread::currentThread() != thread()) {
            ++depth;
            const bool done = QApplication::notify(receiver, event);
            --depth;
            return done;
        }
        ++depth;
        const double cpu = cpuMilliseconds(CLOCK_THREAD_CPUTIME_ID);
        QElapsedTimer wall;
        wall.start();
        const QByteArray what = describe(receiver, event); // before: the receiver may be gone after
        const bool done = QApplication::notify(receiver, event);
        const double cpuMs = cpuMilliseconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
        --depth;
        if (m_slowest.size() < 3 || cpuMs > m_slowest.back().cpuMs) {
            m_slowest.push_back({ cpuMs, double(wall.nsecsElapsed()) / 1e6, what });
            std::sort(
                m_slowest.begin(), m_slowest.end(), [](const auto &a, const auto &b) { return a.cpuMs > b.cpuMs; });
            if (m_slowest.size() > 3)
                m_slowest.pop_back();
        }
        return done;
    }

    // The three slowest since the last call.
    std::vector<Delivery> takeSlowest() { return std::exchange(m_slowest, {}); }

private:
    static QByteArray describe(QObject *receiver, QEvent *event)
    {
        QByteArray text = receiver->metaObject()->className();
        if (QObject *parent = receiver->parent())
            text += QByteArray("<") + parent->metaObject()->className() + ">";
        return text + " event " + QByteArray::number(int(event->type()));
    }

    std::vector<Delivery> m_slowest;
};

// One HTTP/1.1 response, parsed just enough: status, Mcp-Session-Id, a Content-Length body.
struct HttpAnswer
{
    int status = 0;
    QByteArray sessionId;
    QByteArray body;
};

// Takes the first complete response off `buffer`; nullopt while it is incomplete. `error` is set for what this client
// does not read (a chunked SSE stream: the tools called here answer with one JSON body).
std::optional<HttpAnswer> takeAnswer(QByteArray &buffer, QByteArray &error)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return std::nullopt;
    HttpAnswer answer;
    qint64 length = 0;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QByteArray statusLine = lines.constFirst().trimmed();
    if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.size() < 12) {
        error = "bad status line: " + statusLine;
        return std::nullopt;
    }
    answer.status = statusLine.mid(9, 3).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            length = value.toLongLong();
        else if (name == "mcp-session-id")
            answer.sessionId = value;
        else if (name == "transfer-encoding")
            error = "unexpected Transfer-Encoding: " + value;
    }
    if (!error.isEmpty())
        return std::nullopt;
    if (buffer.size() < end + 4 + length)
        return std::nullopt;
    answer.body = buffer.mid(end + 4, length);
    buffer.remove(0, end + 4 + length);
    return answer;
}

} // namespace

// The agents: `sessions` MCP sessions over as many keep-alive connections, all on the thread this object lives on.
// (Outside the anonymous namespace: moc's output, included at the end, defines its members.)
class LoadGenerator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadGenerator)

public:
    LoadGenerator(quint16 port, const QString &token, int sessions, const QStringList &customerIds)
        : m_port(port)
        , m_token(token.toLatin1())
        , m_sessionCount(sessions)
    {
        // Each id as a JSON string literal, so that any id is quoted correctly in the request bodies.
        for (const QString &id : customerIds) {
            const QByteArray array = QJsonDocument(QJsonArray { id }).toJson(QJsonDocument::Compact);
            m_customerIds.append(array.mid(1, array.size() - 2));
        }
    }

    // Connects and initialises every session (initialize, then notifications/initialized); emits opened() or
    // openFailed().
    void open()
    {
        // The agents stand for other processes, which the app's scheduling choices do not favour over its own server:
        // here in the app's process, they run as nice as its MCP threads (DesktopComposition::kMcpNiceness), so that
        // neither the server's saturation rate nor the GUI thread's competition depends on the client sharing the
        // process.
        errno = 0;
        const int own = getpriority(PRIO_PROCESS, id_t(gettid()));
        if (errno == 0)
            setpriority(PRIO_PROCESS, id_t(gettid()), std::min(own + DesktopComposition::kMcpNiceness, 19));
        m_clock.start();
        m_deadlineTimer.setSingleShot(true);
        m_deadlineTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_deadlineTimer, &QTimer::timeout, this, &LoadGenerator::onDeadline);
        m_drainTimer.setSingleShot(true);
        connect(&m_drainTimer, &QTimer::timeout, this, &LoadGenerator::onDrainTimeout);
        for (int i = 0; i < m_sessionCount; ++i) {
            auto session = std::make_unique<Session>();
            Session *s = session.get();
            s->rng.seed(quint32(20261124 + i));
            s->socket = new QTcpSocket(this);
            s->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            s->timer = new QTimer(this);
            s->timer->setSingleShot(true);
            s->timer->setTimerType(Qt::PreciseTimer);
            connect(s->timer, &QTimer::timeout, this, [this, s] { onDue(*s); });
            connect(s->socket, &QTcpSocket::connected, this, [this, s] {
                s->stage = Stage::Initializing;
                send(*s,
                    QByteArray(
                        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"")
                        + kProtocolVersion
                        + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench_guistall\",\"version\":\"1\"}}}");
            });
            connect(s->socket, &QTcpSocket::readyRead, this, [this, s] { onReadyRead(*s); });
            connect(s->socket, &QTcpSocket::disconnected, this, [this, s] { onLost(*s, "connection closed"); });
            connect(s->socket, &QTcpSocket::errorOccurred, this,
                [this, s] { onLost(*s, "socket error: " + s->socket->errorString().toUtf8()); });
            m_sessions.push_back(std::move(session));
            s->socket->connectToHost(u"127.0.0.1"_s, m_port);
        }
    }

    // One phase: back to back (callsPerSecond <= 0) or paced at callsPerSecond over all sessions, each session
    // evenly spaced; emits phaseFinished() once every call sent has been answered.
    void run(double callsPerSecond, int milliseconds)
    {
        m_paced = callsPerSecond > 0;
        m_running = true;
        m_completedInWindow = m_failed = m_late = m_writes = 0;
        m_startNs = m_clock.nsecsElapsed();
        m_windowEndNs = m_startNs + qint64(milliseconds) * 1000000;
        m_intervalNs = m_paced ? qint64(double(m_sessionCount) * 1e9 / callsPerSecond) : 0;
        int index = 0;
        for (const auto &session : m_sessions) {
            Session &s = *session;
            s.owed = false;
            if (s.stage != Stage::Ready)
                continue;
            if (m_paced) {
                s.dueNs = m_startNs + m_intervalNs * index++ / m_sessionCount;
                s.timer->start(std::chrono::milliseconds((s.dueNs - m_startNs) / 1000000));
            } else {
                sendCall(s);
            }
        }
        m_deadlineTimer.start(milliseconds);
    }

Q_SIGNALS:
    void opened();
    void openFailed(const QString &message);
    // completed: calls answered within the phase's window; failed: every failure of the phase (also after the window).
    void phaseFinished(qint64 completed, qint64 failed, qint64 windowNs, qint64 lateSends, qint64 writes);

private:
    enum class Stage { Connecting, Initializing, Notifying, Ready, Dead };
    struct Session
    {
        QTcpSocket *socket = nullptr;
        QTimer *timer = nullptr;
        QRandomGenerator rng;
        Stage stage = Stage::Connecting;
        QByteArray sessionId;
        QByteArray buffer;
        qint64 nextId = 1;
        qint64 dueNs = 0;
        bool inFlight = false;
        bool owed = false; // paced: the slot came while the previous call was still in flight
        bool write = false; // the call in flight is a write
    };

    void send(Session &s, const QByteArray &body)
    {
        // The whole request in one write (DESIGN.md §7: a request in two pieces meets Nagle and delayed ACKs).
        QByteArray request;
        request.reserve(420 + body.size());
        request += "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port)
            + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
              "Authorization: Bearer "
            + m_token + "\r\n";
        if (!s.sessionId.isEmpty())
            request += "Mcp-Session-Id: " + s.sessionId + "\r\nMCP-Protocol-Version: " + kProtocolVersion + "\r\n";
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        s.inFlight = true;
        s.socket->write(request);
    }

    // A realistic mix: mostly reads, about 10 % audited writes that are safe to repeat.
    void sendCall(Session &s)
    {
        const QByteArray id = QByteArray::number(s.nextId++);
        const QByteArray &customer = m_customerIds.at(s.rng.bounded(int(m_customerIds.size())));
        const int dice = s.rng.bounded(100);
        QByteArray call;
        s.write = dice < kWritePercent;
        if (s.write) {
            // A promoter's answer (9 or 10): recorded and audited; no detractor follow-up task.
            call = "\"collect_feedback\",\"arguments\":{\"action\":\"record\",\"customer_id\":" + customer
                + ",\"kind\":\"nps\",\"score\":" + QByteArray::number(9 + s.rng.bounded(2))
                + ",\"comment\":\"Quarterly check-in: the rollout went well and the team is happy.\"}";
            ++m_writes;
        } else if (dice < kWritePercent + 45) {
            static const char *const sorts[] = { "name", "arr", "renewal_date" };
            call = "\"list_clients\",\"arguments\":{\"limit\":5,\"sort\":\"" + QByteArray(sorts[s.rng.bounded(3)])
                + "\"}";
        } else {
            call = "\"get_client_overview\",\"arguments\":{\"customer_id\":" + customer
                + ",\"recent_timeline_items\":5}";
        }
        send(s, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":" + call + "}}");
    }

    void onDue(Session &s)
    {
        if (!m_running || !m_paced || s.stage != Stage::Ready)
            return;
        if (s.inFlight) {
            s.owed = true;
            ++m_late;
        } else {
            sendCall(s);
        }
        s.dueNs += m_intervalNs;
        const qint64 now = m_clock.nsecsElapsed();
        if (s.dueNs < now)
            s.dueNs = now; // behind: carry on from now rather than catching up in a burst
        s.timer->start(std::chrono::milliseconds((s.dueNs - now + 500000) / 1000000));
    }

    void onReadyRead(Session &s)
    {
        s.buffer += s.socket->readAll();
        for (;;) {
            QByteArray error;
            std::optional<HttpAnswer> answer = takeAnswer(s.buffer, error);
            if (!error.isEmpty()) {
                s.socket->abort();
                return onLost(s, error);
            }
            if (!answer)
                return;
            onAnswer(s, *answer);
        }
    }

    void onAnswer(Session &s, const HttpAnswer &answer)
    {
        s.inFlight = false;
        switch (s.stage) {
        case Stage::Initializing:
            if (answer.status != 200 || answer.sessionId.isEmpty())
                return Q_EMIT openFailed(
                    u"initialize answered %1: %2"_s.arg(answer.status).arg(QString::fromUtf8(answer.body.left(300))));
            s.sessionId = answer.sessionId;
            s.stage = Stage::Notifying;
            return send(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        case Stage::Notifying:
            if (answer.status != 202)
                return Q_EMIT openFailed(u"notifications/initialized answered %1"_s.arg(answer.status));
            s.stage = Stage::Ready;
            if (++m_ready == m_sessionCount)
                Q_EMIT opened();
            return;
        case Stage::Ready:
            break;
        case Stage::Connecting:
        case Stage::Dead:
            return;
        }

        const bool ok
            = answer.status == 200 && answer.body.contains("\"result\":") && !answer.body.contains("\"isError\":true");
        if (!ok)
            fail("call answered " + QByteArray::number(answer.status) + ": " + answer.body.left(300));
        else if (m_clock.nsecsElapsed() <= m_windowEndNs)
            ++m_completedInWindow;
        if (m_running && (!m_paced || s.owed)) {
            s.owed = false;
            sendCall(s);
        }
        finishIfDrained();
    }

    void onLost(Session &s, const QByteArray &why)
    {
        if (s.stage == Stage::Dead)
            return;
        const Stage was = s.stage;
        s.stage = Stage::Dead;
        s.timer->stop();
        if (was != Stage::Ready)
            return Q_EMIT openFailed(QString::fromUtf8(why));
        if (s.inFlight || m_running)
            fail("session lost: " + why);
        s.inFlight = false;
        finishIfDrained();
    }

    void fail(const QByteArray &why)
    {
        if (++m_failed <= 3)
            std::fprintf(stderr, "bench_guistall: failed call: %s\n", why.constData());
    }

    void onDeadline()
    {
        m_running = false;
        for (const auto &s : m_sessions)
            s->timer->stop();
        m_draining = true;
        m_drainTimer.start(10s);
        finishIfDrained();
    }

    void onDrainTimeout()
    {
        for (const auto &s : m_sessions) {
            if (s->stage == Stage::Ready && s->inFlight) {
                fail("no answer within 10 s");
                s->socket->abort();
            }
        }
        finishIfDrained(true);
    }

    void finishIfDrained(bool force = false)
    {
        if (!m_draining)
            return;
        const bool drained = std::none_of(m_sessions.cbegin(), m_sessions.cend(),
            [](const auto &s) { return s->stage == Stage::Ready && s->inFlight; });
        if (!drained && !force)
            return;
        m_draining = false;
        m_drainTimer.stop();
        Q_EMIT phaseFinished(m_completedInWindow, m_failed, m_windowEndNs - m_startNs, m_late, m_writes);
    }

    const quint16 m_port;
    const QByteArray m_token;
    const int m_sessionCount;
    QList<QByteArray> m_customerIds;
    std::vector<std::unique_ptr<Session>> m_sessions;
    QElapsedTimer m_clock;
    QTimer m_deadlineTimer { this }; // children, so that moveToThread() takes them along
    QTimer m_drainTimer { this };
    int m_ready = 0;
    bool m_running = false;
    bool m_draining = false; // the window is over; waiting for the calls still in flight
    bool m_paced = false;
    qint64 m_startNs = 0;
    qint64 m_windowEndNs = 0;
    qint64 m_intervalNs = 0;
    qint64 m_completedInWindow = 0;
    qint64 m_failed = 0;
    qint64 m_late = 0;
    qint64 m_writes = 0;
};

namespace {

// Each thread of this process: its name, niceness and CPU time so far (/proc/self/task/*/stat, proc(5)).
void printThreads()
{
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    for (const QString &tid : QDir(u"/proc/self/task"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile file(u"/proc/self/task/"_s + tid + u"/stat"_s);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = file.readAll();
        const qsizetype open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        // After the name: field 3 (state) onwards; utime and stime are fields 14 and 15, nice is 19.
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() < 17)
            continue;
        const double cpuMs
            = double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) * 1000.0 / double(ticksPerSecond);
        std::printf("thread %s \"%s\": nice %s, CPU %.0f ms\n", qPrintable(tid),
            stat.mid(open + 1, close - open - 1).constData(), fields.at(16).constData(), cpuMs);
    }
}

qint64 scalar(const Storage::Database &db, const QString &sql)
{
    auto q = Storage::exec(db, sql);
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    TimedApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption customersOption(
        u"customers"_s, u"Customers to generate (default 2000)."_s, u"N"_s, u"2000"_s);
    const QCommandLineOption secondsOption(
        u"seconds"_s, u"Length of the paced phases; saturation runs half of it (default 10)."_s, u"S"_s, u"10"_s);
    const QCommandLineOption sessionsOption(u"sessions"_s, u"MCP sessions (default 64)."_s, u"N"_s, u"64"_s);
    const QCommandLineOption dbOption(
        u"db"_s, u"SQLite file to reuse (generated there if it has no customers)."_s, u"file"_s);
    parser.addOptions({ customersOption, secondsOption, sessionsOption, dbOption });
    parser.process(app);
    const double seconds = parser.value(secondsOption).toDouble();
    const int sessions = parser.value(sessionsOption).toInt();
    if (seconds <= 0 || sessions < 1) {
        std::fprintf(stderr, "bench_guistall: --seconds and --sessions must be positive\n");
        return 2;
    }

    QTemporaryDir dir;
    const QString path = parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(u"bench_guistall.db"_s);
    auto opened = Storage::Database::open(u"sqlite:"_s + path);
    if (!opened) {
        std::fprintf(stderr, "bench_guistall: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    Storage::Database &db = **opened;
    if (scalar(db, u"SELECT COUNT(*) FROM customers"_s) <= 0) {
        Core::DemoPortfolio::Options options;
        options.customers = parser.value(customersOption).toInt();
        std::fprintf(stderr, "bench_guistall: generating %d customers into %s\n", options.customers, qPrintable(path));
        auto stats = Core::DemoPortfolio(db, options).generate();
        if (!stats) {
            std::fprintf(stderr, "bench_guistall: %s\n", qPrintable(stats.error().toString()));
            return 1;
        }
        std::fprintf(stderr, "bench_guistall: %s\n", qPrintable(stats->summary()));
    }
    Core::SystemClock clock;
    {
        // As the app does before it opens the window: first-run defaults.
        Core::Services services(db, clock);
        if (auto ok = services.ensureDefaults(); !ok) {
            std::fprintf(stderr, "bench_guistall: %s\n", qPrintable(ok.error().toString()));
            return 1;
        }
    }
    QStringList customerIds;
    if (auto q = Storage::exec(db, u"SELECT id FROM customers WHERE deleted_at IS NULL"_s)) {
        while (q->next())
            customerIds.append(q->value(0).toString());
    }
    if (customerIds.isEmpty()) {
        std::fprintf(stderr, "bench_guistall: the portfolio has no customers\n");
        return 1;
    }
    const qint64 auditedBefore = scalar(db, u"SELECT COUNT(*) FROM agent_actions"_s);

    // The window as Application::openWindow() builds it: the same DesktopComposition.
    auto desktop = std::make_unique<DesktopComposition>(db, clock);
    Ui::MainWindow *window = &desktop->window();
    Ui::AgentActivityPanel *panel = &desktop->agentPanel();
    window->show();

    // The MCP server as Application::startMcpWithToken() starts it in window mode, through the same composition (every
    // toolset, none "ask me first": an approval prompt would wait for a click nobody makes here).
    const QString token = Mcp::AccessToken::generate();
    Mcp::McpHostOptions options;
    options.transport = Mcp::McpHostOptions::Transport::Http;
    options.port = 0;
    options.token = token;
    options.version = u"bench"_s;
    std::unique_ptr<Mcp::McpHost> host = desktop->createMcpHost(options);

    QThread loadThread;
    loadThread.setObjectName(u"load generator"_s);
    QPointer<LoadGenerator> load;
    StallMeter meter;
    int exitCode = 0;
    qint64 failedCalls = 0;
    qint64 writesSent = 0;
    double saturationRate = 0;

    // The CSM at work: every 200 ms a header click (the next column, alternating order) or a new name filter.
    QTimer user;
    user.setInterval(kUserActionMs);
    int userStep = 0;
    qint64 slowestUserActionNs = 0;
    // From a sort or filter to its rows on show (the portfolio model reads on a thread of its own).
    QElapsedTimer sinceUserAction;
    qint64 slowestUserResultNs = 0;
    QObject::connect(window->portfolioModel(), &Ui::PortfolioModel::loaded, &user, [&] {
        if (sinceUserAction.isValid())
            slowestUserResultNs = std::max(slowestUserResultNs, sinceUserAction.nsecsElapsed());
    });
    const QStringList filters { u"in"_s, u"tech"_s, QString(), u"co"_s, u"a"_s, QString() };
    QObject::connect(&user, &QTimer::timeout, &user, [&] {
        QElapsedTimer t;
        t.start();
        const int step = userStep++;
        if (step % 2 == 0) {
            const int column = (step / 2) % Ui::PortfolioModel::ColumnCount;
            window->portfolioView()->sortByColumn(
                column, (step / 2 / Ui::PortfolioModel::ColumnCount) % 2 ? Qt::DescendingOrder : Qt::AscendingOrder);
        } else {
            window->portfolioModel()->setNameFilter(filters.at((step / 2) % filters.size()));
        }
        slowestUserActionNs = std::max(slowestUserActionNs, t.nsecsElapsed());
        sinceUserAction = t;
    });

    const auto finish = [&](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    };
    const auto cpuNow = [] { return cpuMilliseconds(CLOCK_PROCESS_CPUTIME_ID); };
    double phaseCpuStart = 0;
    int phase = 0;
    const auto startPhase = [&](int which) {
        phase = which;
        app.takeSlowest();
        phaseCpuStart = cpuNow();
        meter.start();
        if (which == 3)
            user.start();
        const double rate = which == 1 ? 0.0 : saturationRate / 2;
        const int ms = int((which == 1 ? seconds / 2 : seconds) * 1000);
        QMetaObject::invokeMethod(load, [l = load.data(), rate, ms] { l->run(rate, ms); });
    };
    const auto report = [&](const char *label, const StallMeter::Stats &s, double processCpuMs) {
        std::printf("%s: %.1f s, %lld ticks, stall max %.3f ms (the GUI thread ran %.3f ms of it), p99 %.3f ms (gap "
                    "p99 %.3f ms), GUI thread CPU %.0f ms, process CPU %.0f ms\n",
            label, s.seconds, static_cast<long long>(s.ticks), s.maxStallMs, s.longestGapCpuMs, s.p99StallMs,
            s.p99GapMs, s.guiThreadCpuMs, processCpuMs);
        std::printf("  slowest GUI-thread events (CPU / wall ms):");
        for (const TimedApplication::Delivery &d : app.takeSlowest())
            std::printf(" %.1f/%.1f %s;", d.cpuMs, d.wallMs, d.what.constData());
        std::printf("\n");
    };

    const auto onPhaseFinished
        = [&](qint64 completed, qint64 failed, qint64 windowNs, qint64 lateSends, qint64 writes) {
              const StallMeter::Stats stats = meter.stop();
              user.stop();
              const double processCpuMs = cpuNow() - phaseCpuStart;
              failedCalls += failed;
              writesSent += writes;
              const double rate = double(completed) / (double(windowNs) / 1e9);
              std::printf("phase %d: %lld calls answered in %.1f s (%lld writes), %lld failed, %lld paced slots late\n",
                  phase, static_cast<long long>(completed), double(windowNs) / 1e9, static_cast<long long>(writes),
                  static_cast<long long>(failed), static_cast<long long>(lateSends));
              switch (phase) {
              case 1:
                  saturationRate = rate;
                  report("saturation", stats, processCpuMs);
                  bench("gui_stall_saturation_calls_per_second", rate, "calls/s");
                  bench("gui_stall_saturation_max_ms", stats.maxStallMs, "ms");
                  if (completed == 0)
                      return finish(1);
                  return startPhase(2);
              case 2:
                  report("paced", stats, processCpuMs);
                  bench("gui_stall_paced_calls_per_second", rate, "calls/s");
                  bench("gui_stall_max_ms", stats.maxStallMs, "ms");
                  bench("gui_stall_p99_ms", stats.p99StallMs, "ms");
                  bench("gui_stall_gui_thread_cpu_ms_per_s", stats.guiThreadCpuMs / stats.seconds, "ms/s");
                  bench("gui_stall_process_cpu_ms_per_s", processCpuMs / stats.seconds, "ms/s");
                  if (stats.maxStallMs > kTargetMs)
                      std::printf("gui_stall: OVER TARGET: max stall %.3f ms > %.0f ms (DESIGN.md §7)\n",
                          stats.maxStallMs, kTargetMs);
                  return startPhase(3);
              default:
                  report("paced, with user", stats, processCpuMs);
                  bench("gui_stall_paced_with_user_calls_per_second", rate, "calls/s");
                  bench("gui_stall_max_with_user_ms", stats.maxStallMs, "ms");
                  bench("gui_stall_p99_with_user_ms", stats.p99StallMs, "ms");
                  bench("gui_stall_user_action_max_ms", double(slowestUserActionNs) / 1e6, "ms");
                  bench("gui_stall_user_result_max_ms", double(slowestUserResultNs) / 1e6, "ms");
                  if (stats.maxStallMs > kTargetMs)
                      std::printf("gui_stall: OVER TARGET with the user at work: max stall %.3f ms > %.0f ms "
                                  "(DESIGN.md §7)\n",
                          stats.maxStallMs, kTargetMs);
                  return finish(0);
              }
          };

    QObject::connect(host.get(), &Mcp::McpHost::failed, &app, [&](const QString &message) {
        std::fprintf(stderr, "bench_guistall: MCP server not started: %s\n", qPrintable(message));
        finish(1);
    });
    QObject::connect(host.get(), &Mcp::McpHost::started, &app, [&](quint16 port) {
        std::printf("portfolio: %lld customers; MCP endpoint on 127.0.0.1:%u; %d sessions; window %s\n",
            static_cast<long long>(customerIds.size()), unsigned(port), sessions,
            window->isVisible() ? "shown" : "hidden");
        load = new LoadGenerator(port, token, sessions, customerIds);
        load->moveToThread(&loadThread);
        QObject::connect(&loadThread, &QThread::finished, load, &QObject::deleteLater);
        QObject::connect(load, &LoadGenerator::openFailed, &app, [&](const QString &message) {
            std::fprintf(stderr, "bench_guistall: opening the sessions failed: %s\n", qPrintable(message));
            finish(1);
        });
        QObject::connect(load, &LoadGenerator::phaseFinished, &app, onPhaseFinished);
        // Every session open: let the window settle, then saturate.
        QObject::connect(
            load, &LoadGenerator::opened, &app, [&] { QTimer::singleShot(300, &app, [&] { startPhase(1); }); });
        loadThread.start();
        QMetaObject::invokeMethod(load, [l = load.data()] { l->open(); });
    });
    host->start();
    const int loopCode = app.exec();

    printThreads();
    loadThread.quit();
    loadThread.wait();
    // What the agents wrote reached the panel: the newest audited call is its first row.
    panel->model()->refreshNow();
    const qint64 audited = scalar(db, u"SELECT COUNT(*) FROM agent_actions"_s) - auditedBefore;
    const int panelRows = panel->model()->rowCount();
    std::printf("audit: %lld new calls recorded; the agent-activity panel lists %d rows (%lld writes sent)\n",
        static_cast<long long>(audited), panelRows, static_cast<long long>(writesSent));
    bench("gui_stall_failed_calls", double(failedCalls), "calls");
    if (writesSent > 0 && (audited <= 0 || panelRows <= 0)) {
        std::fprintf(stderr, "bench_guistall: the writes did not reach the agent-activity panel\n");
        exitCode = 1;
    }
    if (failedCalls > 0) {
        std::fprintf(stderr, "bench_guistall: %lld calls failed\n", static_cast<long long>(failedCalls));
        exitCode = 1;
    }
    // Torn down as Application's destructor does: the server (its thread joined) before the prompts and the window.
    host.reset();
    desktop.reset();
    return loopCode != 0 ? loopCode : exitCode;
}

#include "bench_guistall.moc"
