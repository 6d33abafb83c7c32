// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
// The demo portfolio generator: built twice, run against SQLite (label unit) and PostgreSQL (label pg).
#include <QCryptographicHash>
#include <QDate>
#include <QElapsedTimer>
#include <QHash>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include "demoportfolio.h"
#include "sql.h"
#include "supportservice.h"
#include "testdatabase.h"

using namespace Qt::StringLiterals;

namespace {

const QDate kToday(2026, 3, 15);

Core::DemoPortfolio::Options smallPortfolio(quint32 seed = 4242)
{
    Core::DemoPortfolio::Options options;
    options.customers = 60;
    options.seed = seed;
    options.today = kToday;
    // ~500 events a customer: enough that a 60-day window says something about one small account.
    options.usageEvents = 30'000;
    return options;
}

qint64 count(Storage::Database &db, const QString &table, const QString &where = {})
{
    auto q
        = Storage::exec(db, u"SELECT COUNT(*) FROM "_s + table + (where.isEmpty() ? QString() : u" WHERE "_s + where));
    return q && q->next() ? q->value(0).toLongLong() : -1;
}

// The demo's waiting tickets against SupportService's rule (see waitingTicketsArePaused); returns how many there are.
qint64 checkWaitingTickets(Storage::Database &db)
{
    const QString waiting = u"status IN ('pending', 'on_hold')"_s;
    const qint64 n = count(db, u"support_tickets"_s, waiting);
    [&] {
        QCOMPARE(count(db, u"ticket_sla_pauses p JOIN support_tickets t ON t.id = p.ticket_id"_s,
                     u"p.ended_at IS NULL AND p.status = t.status AND p.started_at = t.first_response_at"_s),
            n);
        QCOMPARE(count(db, u"ticket_sla_pauses"_s), n);
        QCOMPARE(count(db, u"ticket_sla_pauses p JOIN support_tickets t ON t.id = p.ticket_id"_s,
                     u"t.resolution_due_at > p.started_at"_s),
            qint64(0));
    }();
    return n;
}

// Every column of every row, in key order: equal hashes mean equal table contents.
QByteArray tableHash(Storage::Database &db, const QString &table, const QString &orderBy = u"id"_s)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    auto q = Storage::exec(db, u"SELECT * FROM %1 ORDER BY %2"_s.arg(table, orderBy));
    if (!q)
        return {};
    while (q->next()) {
        const QSqlRecord record = q->record();
        for (int i = 0; i < record.count(); ++i) {
            const QVariant v = record.value(i);
            hash.addData((v.isNull() ? u"\\N"_s : v.toString()).toUtf8());
            hash.addData(QByteArrayView("\x1f", 1));
        }
        hash.addData(QByteArrayView("\x1e", 1));
    }
    return hash.result().toHex();
}

const QStringList kHashedTables = { u"customers"_s, u"contacts"_s, u"contracts"_s, u"usage_events"_s, u"usage_daily"_s,
    u"support_tickets"_s, u"survey_responses"_s, u"renewals"_s, u"expansion_opportunities"_s, u"arr_movements"_s,
    u"timeline_events"_s, u"onboarding_milestones"_s, u"onboarding_tasks"_s, u"ticket_sla_pauses"_s };

QString dayExpression(Storage::Database &db, const QString &column)
{
    return db.dialect() == Storage::Dialect::Sqlite ? u"substr(%1, 1, 10)"_s.arg(column)
                                                    : u"to_char(%1 AT TIME ZONE 'UTC', 'YYYY-MM-DD')"_s.arg(column);
}

QString dateText(const QVariant &v)
{
    return v.typeId() == QMetaType::QDate ? v.toDate().toString(Qt::ISODate) : v.toString().left(10);
}

struct CustomerRow
{
    QString status;
    QDate churnedAt;
    QDate since;
    double arr = 0;
};

QHash<QString, CustomerRow> customers(Storage::Database &db)
{
    QHash<QString, CustomerRow> out;
    auto q = Storage::exec(db, u"SELECT id, status, churned_at, arr, created_at FROM customers"_s);
    while (q && q->next()) {
        CustomerRow row;
        row.status = q->value(1).toString();
        row.churnedAt = QDate::fromString(dateText(q->value(2)), Qt::ISODate);
        row.arr = q->value(3).toDouble();
        row.since = QDate::fromString(dateText(q->value(4)), Qt::ISODate);
        out.insert(q->value(0).toString(), row);
    }
    return out;
}

} // namespace

class TestDemoPortfolio final : public QObject
{
    Q_OBJECT

private:
    // One generated portfolio shared by the read-only checks; made in initTestCase (inside QTest, so its guard
    // against lost PostgreSQL results sits on top of QTest's message handler).
    std::unique_ptr<TestUtils::TestDatabase> m_fixture;
    Core::DemoPortfolio::Stats m_stats;
    struct Report
    {
        QString stage;
        qint64 done;
        qint64 total;
        qint64 atMs;
    };
    QList<Report> m_reports;

private Q_SLOTS:
    void initTestCase()
    {
        CS_REQUIRE_BACKEND();
        m_fixture = std::make_unique<TestUtils::TestDatabase>();
        QVERIFY2(m_fixture->isOpen(), qPrintable(m_fixture->error()));
        Core::DemoPortfolio generator(m_fixture->db(), smallPortfolio());
        QElapsedTimer clock;
        clock.start();
        auto result = generator.generate([&](const QString &stage, qint64 done, qint64 total) {
            m_reports.append({ stage, done, total, clock.elapsed() });
        });
        QVERIFY2(result, qPrintable(result ? QString() : result.error().toString()));
        m_stats = *result;
        QVERIFY(!m_stats.summary().isEmpty());
    }

    // Per stage, at most ~10 reports a second, each ending on done == total.
    void reportsProgressSparingly()
    {
        QVERIFY(!m_reports.isEmpty());
        QStringList stages;
        for (qsizetype i = 0; i < m_reports.size(); ++i) {
            const Report &r = m_reports.at(i);
            QVERIFY(!r.stage.isEmpty());
            QVERIFY(r.done >= 0 && r.done <= r.total);
            const bool lastOfStage = i + 1 == m_reports.size() || m_reports.at(i + 1).stage != r.stage;
            if (lastOfStage) {
                QCOMPARE(r.done, r.total);
                QVERIFY2(!stages.contains(r.stage), qPrintable(r.stage)); // stages do not interleave
                stages << r.stage;
            } else if (i > 0) {
                QVERIFY2(r.atMs - m_reports.at(i - 1).atMs >= 95, qPrintable(r.stage));
            }
        }
        QVERIFY(stages.contains(u"usage events"_s));
        QVERIFY(stages.contains(u"customers"_s));
    }

    // The generator's own SQLite settings (see SqliteTuning) are put back on the connection.
    void restoresConnectionSettings()
    {
        Storage::Database &db = m_fixture->db();
        if (db.dialect() != Storage::Dialect::Sqlite)
            QSKIP("SQLite connection settings");
        auto synchronous = Storage::exec(db, u"PRAGMA synchronous"_s);
        QVERIFY(synchronous && synchronous->next());
        QCOMPARE(synchronous->value(0).toInt(), 1); // NORMAL, as Database::open sets it
    }

    void countsMatchStats()
    {
        Storage::Database &db = m_fixture->db();
        QCOMPARE(count(db, u"customers"_s), m_stats.customers);
        QCOMPARE(m_stats.customers, qint64(60));
        QCOMPARE(count(db, u"contacts"_s), m_stats.contacts);
        QCOMPARE(count(db, u"contracts"_s), m_stats.contracts);
        QCOMPARE(count(db, u"usage_events"_s), m_stats.usageEvents);
        QCOMPARE(count(db, u"usage_daily"_s), m_stats.usageDailyRows);
        QCOMPARE(count(db, u"support_tickets"_s), m_stats.tickets);
        QCOMPARE(count(db, u"survey_responses"_s), m_stats.surveyResponses);
        QCOMPARE(count(db, u"onboarding_plans"_s), m_stats.onboardingPlans);
        QCOMPARE(count(db, u"renewals"_s), m_stats.renewals);
        QCOMPARE(count(db, u"expansion_opportunities"_s), m_stats.expansionOpportunities);
        QCOMPARE(count(db, u"timeline_events"_s), m_stats.timelineEvents);
        QCOMPARE(count(db, u"customers"_s, u"status = 'churned'"_s), m_stats.churnedCustomers);
        // The event budget is an expectation, not an exact count.
        QVERIFY2(std::abs(m_stats.usageEvents - 30'000) < 3'000, qPrintable(QString::number(m_stats.usageEvents)));

        // Every row written is accounted for in totalRows (the database was empty before).
        static const QString everyTable[] = {
            u"customers"_s,
            u"contacts"_s,
            u"contracts"_s,
            u"usage_events"_s,
            u"usage_daily"_s,
            u"support_tickets"_s,
            u"survey_responses"_s,
            u"onboarding_plans"_s,
            u"onboarding_milestones"_s,
            u"onboarding_tasks"_s,
            u"renewals"_s,
            u"expansion_opportunities"_s,
            u"arr_movements"_s,
            u"timeline_events"_s,
            u"features"_s,
            u"sla_policies"_s,
            u"surveys"_s,
            u"onboarding_templates"_s,
            u"onboarding_template_milestones"_s,
            u"custom_field_definitions"_s,
        };
        qint64 rows = 0;
        for (const QString &table : everyTable)
            rows += count(db, table);
        QCOMPARE(m_stats.totalRows, rows);
        // Nothing the engine computes itself.
        QCOMPARE(count(db, u"health_scores"_s), qint64(0));
        QCOMPARE(count(db, u"churn_predictions"_s), qint64(0));
        QCOMPARE(count(db, u"churn_models"_s), qint64(0));
    }

    void portfolioIsRealistic()
    {
        Storage::Database &db = m_fixture->db();
        const qint64 churned = count(db, u"customers"_s, u"status = 'churned'"_s);
        QVERIFY(churned >= 60 * 8 / 100 && churned <= 60 * 15 / 100);
        QCOMPARE(count(db, u"customers"_s, u"(status = 'churned') <> (churned_at IS NOT NULL)"_s), qint64(0));
        QCOMPARE(count(db, u"customers"_s, u"(status = 'churned') <> (lifecycle_stage = 'churned')"_s), qint64(0));
        QVERIFY(count(db, u"customers"_s, u"lifecycle_stage = 'at_risk'"_s) > 0);
        QVERIFY(count(db, u"customers"_s, u"tier = 'smb'"_s) > count(db, u"customers"_s, u"tier = 'enterprise'"_s));
        QCOMPARE(count(db, u"sla_policies"_s), qint64(5));
        QVERIFY(count(db, u"features"_s) >= 10);

        static const QRegularExpression idPattern(u"^[a-zA-Z0-9_-]{1,100}$"_s);
        static const QRegularExpression email(u"^[a-z0-9.]+@[a-z0-9.-]+\\.example$"_s);
        auto q = Storage::exec(
            db, u"SELECT c.id, c.domain, k.email FROM customers c JOIN contacts k ON k.customer_id = c.id"_s);
        QVERIFY(q);
        while (q->next()) {
            QVERIFY2(idPattern.match(q->value(0).toString()).hasMatch(), qPrintable(q->value(0).toString()));
            const QString address = q->value(2).toString();
            QVERIFY2(email.match(address).hasMatch(), qPrintable(address));
            QVERIFY(address.endsWith(u'@' + q->value(1).toString()));
        }

        // Exactly one primary contact per customer, 2-8 contacts each.
        auto primaries = Storage::exec(db,
            u"SELECT c.id, (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id AND "
            "k.is_primary), (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id) "
            "FROM customers c"_s);
        QVERIFY(primaries);
        int seen = 0;
        while (primaries->next()) {
            QCOMPARE(primaries->value(1).toInt(), 1);
            QVERIFY(primaries->value(2).toInt() >= 2 && primaries->value(2).toInt() <= 8);
            ++seen;
        }
        QCOMPARE(seen, 60);

        // Onboarding: recent customers have plans, some still running, and some milestones are overdue.
        QVERIFY(count(db, u"onboarding_plans"_s, u"status = 'completed'"_s) > 0);
        QVERIFY(count(db, u"onboarding_plans"_s, u"status IN ('in_progress', 'not_started', 'stalled')"_s) > 0);
        QVERIFY(count(db, u"onboarding_milestones"_s,
                    u"status IN ('pending', 'in_progress') AND due_date < '%1'"_s.arg(kToday.toString(Qt::ISODate)))
            > 0);
        // Renewals: closed ones carry an outcome, open ones a pipeline stage; expansions exist.
        QCOMPARE(count(db, u"renewals"_s, u"(outcome IS NULL) <> (closed_on IS NULL)"_s), qint64(0));
        QVERIFY(count(db, u"renewals"_s, u"outcome = 'churned'"_s) > 0);
        QVERIFY(count(db, u"renewals"_s, u"outcome IS NULL"_s) > 0);
        QVERIFY(count(db, u"expansion_opportunities"_s, u"stage IN ('identified', 'qualified', 'proposed')"_s) > 0);
        QVERIFY(count(db, u"timeline_events"_s, u"kind = 'ticket'"_s) > 0);
        QVERIFY(count(db, u"timeline_events"_s, u"kind = 'feedback'"_s) > 0);
        QVERIFY(count(db, u"timeline_events"_s, u"kind = 'onboarding'"_s) > 0);
        QCOMPARE(count(db, u"timeline_events"_s, u"kind = 'lifecycle'"_s), m_stats.churnedCustomers);
    }

    void constraintsHold()
    {
        Storage::Database &db = m_fixture->db();
        if (db.dialect() == Storage::Dialect::Sqlite) {
            auto q = Storage::exec(db, u"PRAGMA foreign_key_check"_s);
            QVERIFY(q);
            if (q->next())
                QFAIL(qPrintable(u"foreign key violation in "_s + q->value(0).toString()));
            auto integrity = Storage::exec(db, u"PRAGMA integrity_check"_s);
            QVERIFY(integrity && integrity->next());
            QCOMPARE(integrity->value(0).toString(), u"ok"_s);
        }
        // Nothing happens after the portfolio's "now".
        const QString now = kToday.toString(Qt::ISODate);
        for (const auto &[table, column] :
            { std::pair { u"usage_events"_s, u"occurred_at"_s }, std::pair { u"support_tickets"_s, u"opened_at"_s },
                std::pair { u"survey_responses"_s, u"responded_at"_s },
                std::pair { u"timeline_events"_s, u"occurred_at"_s } })
            QCOMPARE(count(db, table, u"%1 >= '%2'"_s.arg(dayExpression(db, column), now)), qint64(0));
        // Ticket SLA stamps follow the policies.
        QCOMPARE(count(db, u"support_tickets t JOIN sla_policies p ON p.priority = t.priority"_s), m_stats.tickets);
        QVERIFY(count(db, u"support_tickets"_s, u"first_response_at > first_response_due_at"_s) > 0);
        QVERIFY(count(db, u"support_tickets"_s, u"first_response_at <= first_response_due_at"_s)
            > count(db, u"support_tickets"_s, u"first_response_at > first_response_due_at"_s));
        checkWaitingTickets(db);
    }

    // A ticket waiting on the customer (pending, on hold) has one open pause of its status, begun at the agent's
    // answer, and no resolution due time unless it had run out before: as SupportService records a status change,
    // so its resolution clock stands still. (The small portfolio above happens to have none waiting.)
    void waitingTicketsArePaused()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options = smallPortfolio(7);
        options.customers = 400;
        options.usageEvents = 20'000;
        auto generated = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
        const qint64 waiting = checkWaitingTickets(fixture.db());
        QVERIFY(waiting > 0);
        if (QTest::currentTestFailed())
            return;
        // The support service sees their resolution clocks stand still (or breached before the pause).
        Core::SystemClock clock;
        Core::SupportService support(fixture.db(), clock);
        auto ids = Storage::exec(fixture.db(),
            u"SELECT t.id, CASE WHEN t.resolution_due_at IS NULL THEN 1 ELSE 0 END FROM support_tickets t "
            "WHERE t.status IN ('pending', 'on_hold') ORDER BY t.id"_s);
        QVERIFY(ids);
        QList<std::pair<qint64, bool>> tickets; // id, without a resolution due time (read to the end first)
        while (ids->next())
            tickets.append({ ids->value(0).toLongLong(), ids->value(1).toInt() == 1 });
        QCOMPARE(qint64(tickets.size()), waiting);
        for (const auto &[id, undated] : std::as_const(tickets)) {
            auto sla = support.ticketSla(id);
            QVERIFY2(sla, qPrintable(sla ? QString() : sla.error().toString()));
            QCOMPARE(sla->resolution.state, undated ? Core::SlaState::Paused : Core::SlaState::Breached);
        }
    }

    void usageDailyMatchesEvents()
    {
        Storage::Database &db = m_fixture->db();
        const QString day = dayExpression(db, u"occurred_at"_s);
        auto events = Storage::exec(db,
            u"SELECT customer_id, %1, COUNT(*), COUNT(DISTINCT user_ref), SUM(quantity) "
            "FROM usage_events GROUP BY customer_id, %1"_s.arg(day));
        QVERIFY(events);
        QHash<QString, QString> fromEvents;
        while (events->next())
            fromEvents.insert(events->value(0).toString() + u'|' + events->value(1).toString(),
                u"%1/%2/%3"_s.arg(events->value(2).toLongLong())
                    .arg(events->value(3).toLongLong())
                    .arg(events->value(4).toDouble()));
        auto daily = Storage::exec(db,
            u"SELECT customer_id, day, events, active_users, quantity FROM usage_daily "
            "WHERE feature = ''"_s);
        QVERIFY(daily);
        qint64 rows = 0;
        while (daily->next()) {
            const QString key = daily->value(0).toString() + u'|' + dateText(daily->value(1));
            const QString aggregate = u"%1/%2/%3"_s.arg(daily->value(2).toLongLong())
                                          .arg(daily->value(3).toLongLong())
                                          .arg(daily->value(4).toDouble());
            QCOMPARE(aggregate, fromEvents.value(key));
            ++rows;
        }
        QCOMPARE(rows, qint64(fromEvents.size()));
        QCOMPARE(rows, m_stats.usageDailyRows);
    }

    void arrLedgerMatchesCustomers()
    {
        Storage::Database &db = m_fixture->db();
        const auto all = customers(db);
        QHash<QString, double> net;
        QHash<QString, QString> lastKind;
        QHash<QString, double> lastBefore;
        auto q = Storage::exec(db,
            u"SELECT customer_id, kind, amount, arr_before, arr_after FROM arr_movements "
            "ORDER BY customer_id, movement_date, id"_s);
        QVERIFY(q);
        while (q->next()) {
            const QString id = q->value(0).toString();
            const QString kind = q->value(1).toString();
            const double amount = q->value(2).toDouble();
            QCOMPARE(amount, std::abs(q->value(4).toDouble() - q->value(3).toDouble()));
            net[id] += (kind == u"contraction"_s || kind == u"churn"_s) ? -amount : amount;
            lastKind[id] = kind;
            lastBefore[id] = q->value(3).toDouble();
        }
        for (auto it = all.cbegin(); it != all.cend(); ++it) {
            if (it->status == u"trial"_s) {
                QVERIFY(!net.contains(it.key()));
                continue;
            }
            if (it->status == u"churned"_s) {
                // The ledger ends at zero; the customer keeps the ARR that was lost.
                QCOMPARE(net.value(it.key()), 0.0);
                QCOMPARE(lastKind.value(it.key()), u"churn"_s);
                QCOMPARE(lastBefore.value(it.key()), it->arr);
            } else {
                QCOMPARE(net.value(it.key()), it->arr);
            }
        }
        // Every closed renewal's ARR change is in the ledger.
        QCOMPARE(
            count(db, u"renewals r"_s,
                u"r.outcome IN ('expanded', 'downgraded', 'churned') AND NOT EXISTS (SELECT 1 FROM arr_movements m "
                "WHERE m.source_table = 'renewals' AND m.source_id = CAST(r.id AS TEXT))"_s),
            qint64(0));
    }

    // The point of the demo: churned accounts showed warning signs, so the health engine has signal.
    void churnersShowWarningSigns()
    {
        Storage::Database &db = m_fixture->db();
        const auto all = customers(db);
        QHash<QString, QHash<QDate, qint64>> usage;
        auto q = Storage::exec(db, u"SELECT customer_id, day, events FROM usage_daily WHERE feature = ''"_s);
        QVERIFY(q);
        while (q->next())
            usage[q->value(0).toString()][QDate::fromString(dateText(q->value(1)), Qt::ISODate)]
                = q->value(2).toLongLong();
        const QDate historyStart = kToday.addMonths(-12);

        // Events per day in the 60 days before `end` against the customer's earlier baseline, summed over a group
        // (ratio of sums: small accounts have days without events, so per-account ratios are noisy).
        const auto windowRatio = [&](const QString &status) {
            double recent = 0;
            double baseline = 0;
            for (auto it = all.cbegin(); it != all.cend(); ++it) {
                if (it->status != status || it->since > historyStart)
                    continue; // needs a full baseline
                const QDate end = status == u"churned"_s ? it->churnedAt : kToday;
                const QDate split = end.addDays(-60);
                const qint64 baseDays = historyStart.daysTo(split);
                if (baseDays < 30)
                    continue;
                double recentEvents = 0;
                double baseEvents = 0;
                const auto &days = usage.value(it.key());
                for (auto d = days.cbegin(); d != days.cend(); ++d) {
                    if (d.key() >= split && d.key() < end)
                        recentEvents += double(d.value());
                    else if (d.key() < split)
                        baseEvents += double(d.value());
                }
                recent += recentEvents / 60.0;
                baseline += baseEvents / double(baseDays);
            }
            return baseline > 0 ? recent / baseline : -1.0;
        };
        const double churnedRatio = windowRatio(u"churned"_s);
        const double activeRatio = windowRatio(u"active"_s);
        qInfo("usage in the last 60 days vs baseline: churned %.2f, active %.2f", churnedRatio, activeRatio);
        QVERIFY(churnedRatio >= 0);
        QVERIFY2(churnedRatio < 0.8, "churned customers' usage did not decline before they left");
        QVERIFY2(churnedRatio < activeRatio - 0.2, "churners look like active customers");

        // Detractors: a larger share of churned customers' NPS answers.
        const auto detractorShare = [&](const QString &status) {
            auto r = Storage::exec(db,
                u"SELECT COUNT(*), SUM(CASE WHEN s.nps_category = 'detractor' THEN 1 ELSE 0 END) "
                "FROM survey_responses s JOIN customers c ON c.id = s.customer_id "
                "WHERE s.kind = 'nps' AND c.status = ?"_s,
                { status });
            return r && r->next() && r->value(0).toLongLong() > 0 ? r->value(1).toDouble() / r->value(0).toDouble()
                                                                  : -1.0;
        };
        const double churnedDetractors = detractorShare(u"churned"_s);
        const double activeDetractors = detractorShare(u"active"_s);
        qInfo("NPS detractor share: churned %.2f, active %.2f", churnedDetractors, activeDetractors);
        QVERIFY(churnedDetractors > activeDetractors + 0.15);

        // Tickets per account-day: higher in the 90 days before churn than over the churners' earlier history.
        const QString opened = dayExpression(db, u"t.opened_at"_s);
        auto tickets = Storage::exec(db,
            u"SELECT t.customer_id, %1 FROM support_tickets t JOIN customers c "
            "ON c.id = t.customer_id WHERE c.status = 'churned'"_s.arg(opened));
        QVERIFY(tickets);
        double before = 0;
        double earlier = 0;
        while (tickets->next()) {
            const CustomerRow &c = all[tickets->value(0).toString()];
            const QDate day = QDate::fromString(tickets->value(1).toString(), Qt::ISODate);
            (day >= c.churnedAt.addDays(-90) ? before : earlier) += 1;
        }
        double beforeDays = 0;
        double earlierDays = 0;
        for (const CustomerRow &c : all) {
            if (c.status != u"churned"_s)
                continue;
            beforeDays += 90;
            earlierDays += std::max<qint64>(0, std::max(historyStart, c.since).daysTo(c.churnedAt.addDays(-90)));
        }
        qInfo("tickets per churner-day: last 90 days %.3f, earlier %.3f", before / beforeDays,
            earlierDays > 0 ? earlier / earlierDays : 0.0);
        QVERIFY(earlierDays > 0);
        QVERIFY(before / beforeDays > 1.5 * earlier / earlierDays);
    }

    void sameSeedSamePortfolio()
    {
        TestUtils::TestDatabase other;
        QVERIFY2(other.isOpen(), qPrintable(other.error()));
        auto again = Core::DemoPortfolio(other.db(), smallPortfolio()).generate();
        QVERIFY(again);
        QCOMPARE(again->totalRows, m_stats.totalRows);
        for (const QString &table : kHashedTables)
            QCOMPARE(tableHash(other.db(), table), tableHash(m_fixture->db(), table));

        TestUtils::TestDatabase different;
        QVERIFY2(different.isOpen(), qPrintable(different.error()));
        auto changed = Core::DemoPortfolio(different.db(), smallPortfolio(7)).generate();
        QVERIFY(changed);
        QVERIFY(tableHash(different.db(), u"customers"_s) != tableHash(m_fixture->db(), u"customers"_s));
        QVERIFY(tableHash(different.db(), u"usage_events"_s) != tableHash(m_fixture->db(), u"usage_events"_s));
    }

    void refusesNonEmptyDatabaseUnlessReplacing()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options = smallPortfolio();
        options.customers = 12;
        options.usageEvents = 2'000;
        auto first = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY(first);
        const QByteArray before = tableHash(fixture.db(), u"customers"_s);

        options.seed = 99;
        auto refused = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, Core::ErrorCode::InvalidArgument);
        QCOMPARE(refused.error().field, u"db"_s);
        QCOMPARE(tableHash(fixture.db(), u"customers"_s), before);
        QCOMPARE(count(fixture.db(), u"usage_events"_s), first->usageEvents);

        options.replaceExisting = true;
        auto replaced = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY2(replaced, qPrintable(replaced ? QString() : replaced.error().toString()));
        QVERIFY(tableHash(fixture.db(), u"customers"_s) != before);
        QCOMPARE(count(fixture.db(), u"customers"_s), qint64(12));
        QCOMPARE(count(fixture.db(), u"usage_events"_s), replaced->usageEvents);
        QCOMPARE(count(fixture.db(), u"contacts"_s), replaced->contacts);
        QCOMPARE(count(fixture.db(), u"timeline_events"_s), replaced->timelineEvents);
        // The catalogues are reused, not duplicated.
        QCOMPARE(count(fixture.db(), u"sla_policies"_s), qint64(5));
        QCOMPARE(count(fixture.db(), u"surveys"_s), qint64(4));
        QCOMPARE(count(fixture.db(), u"onboarding_templates"_s), qint64(5));

        // Ids the generator chose itself do not collide with the ones the database hands out next.
        auto inserted = Storage::exec(fixture.db(),
            u"INSERT INTO contacts (customer_id, name, email) SELECT id, 'New Person', "
            "'new.person@x.example' FROM customers ORDER BY id LIMIT 1"_s);
        QVERIFY2(inserted, qPrintable(inserted ? QString() : inserted.error().toString()));
    }

    void rejectsBadOptions()
    {
        TestUtils::TestDatabase fixture;
        QVERIFY2(fixture.isOpen(), qPrintable(fixture.error()));
        Core::DemoPortfolio::Options options = smallPortfolio();
        options.customers = 0;
        auto result = Core::DemoPortfolio(fixture.db(), options).generate();
        QVERIFY(!result);
        QCOMPARE(result.error().field, u"customers"_s);
        QCOMPARE(count(fixture.db(), u"features"_s), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestDemoPortfolio)
#include "tst_demoportfolio.moc"
