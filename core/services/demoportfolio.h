// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <functional>

#include <QDate>
#include <QString>

#include "database.h"
#include "error.h"

namespace Core {

// A deterministic, realistic demo portfolio (`csdesk --generate-demo N`): customers across tiers and
// industries with contacts, contracts, a year of usage, tickets, survey responses, onboarding plans,
// renewals, expansions and a churn history in which churned accounts showed warning signs first, so that
// health scores and the churn model have real signal to find. Same seed and options, same portfolio.
class DemoPortfolio final {
public:
    struct Options {
        int customers = 500;
        quint32 seed = 20261124;
        qint64 usageEvents = -1; // total across the portfolio; -1 = about 100 per customer
        QDate today; // the portfolio's "now"; invalid = the current UTC date
        int monthsOfHistory = 12;
        bool replaceExisting = false; // refuse to touch a database that already has customers unless set
    };

    struct Stats {
        qint64 customers = 0;
        qint64 contacts = 0;
        qint64 contracts = 0;
        qint64 usageEvents = 0;
        qint64 usageDailyRows = 0;
        qint64 tickets = 0;
        qint64 surveyResponses = 0;
        qint64 onboardingPlans = 0;
        qint64 renewals = 0;
        qint64 expansionOpportunities = 0;
        qint64 churnedCustomers = 0;
        qint64 timelineEvents = 0;
        qint64 totalRows = 0;
        double seconds = 0;
        QString summary() const; // one human line, e.g. for the terminal
    };

    // stage (e.g. "usage events"), rows done in that stage, rows planned for it.
    using Progress = std::function<void(const QString &stage, qint64 done, qint64 total)>;

    DemoPortfolio(const Storage::Database &db, Options options);

    Result<Stats> generate(const Progress &progress = {});

private:
    const Storage::Database &m_db;
    Options m_options;
};

} // namespace Core
