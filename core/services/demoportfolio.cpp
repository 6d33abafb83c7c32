// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "demoportfolio.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QLocale>
#include <QSet>
#include <QSqlQuery>
#include <QTimeZone>

#include "bulkinserter.h"
#include "sql.h"
#include "supportservice.h"
#include "transaction.h"

// How the demo portfolio is built
// -------------------------------
// 1. Every customer gets a "story" in memory first (CustomerPlan): tier, contract, fate (healthy, at risk,
//    recovering, churned with warning signs, churned without), the dates that matter (start, churn, the
//    usage decline, the ticket spike), the ARR history and the ids of the rows that reference each other.
// 2. Then one pass per table (or group of tables without foreign keys among them) writes the rows. Passes
//    are split like that because BulkInserter buffers rows: a child row could reach the database before the
//    parent row still sitting in another inserter's buffer, and SQLite checks foreign keys per statement.
// 3. Randomness comes from one seed, split into independent streams per (purpose, customer, quarter) by
//    SplitMix64 hashing, each driving a xoshiro256** generator with our own distributions. Streams make the
//    result independent of the order in which passes and chunks run, and the hand-written distributions
//    make it independent of the standard library (std::normal_distribution & co. differ between libstdc++,
//    libc++ and MSVC, so the same seed would give different portfolios). They still call std::exp, std::log
//    and std::cos, which are exact per platform; a different libm could in rare cases round a last bit
//    differently.
// 4. Usage is written quarter by quarter, customers in id order within a quarter: both usage_events indexes,
//    (customer_id, occurred_at) and (occurred_at), then receive mostly sequential inserts, which keeps
//    SQLite's page cache working on a small part of each index instead of all of it.
// 5. Two choices a reader of the data should know: usage_daily holds the all-features row (feature = '')
//    per customer and day, computed from the generator's own events; and a churned customer keeps in `arr`
//    the ARR it had when it left (the loss), while its arr_movements ledger ends at zero with a churn
//    movement of that amount.

namespace Core {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMsPerDay = 86'400'000;
constexpr qint64 kMsPerMinute = 60'000;
constexpr qint64 kRowsPerCommit = 200'000;
constexpr qint64 kJulianDayOfEpoch = 2440588;
constexpr int kProgressIntervalMs = 100;

// ------------------------------------------------------------------------------------------------------------
// Randomness

quint64 splitMix64(quint64 &state)
{
    quint64 z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

enum class Stream : quint64 {
    Shuffle = 1,
    Identity,
    Story,
    Team,
    Contacts,
    Revenue,
    Usage,
    Tickets,
    Surveys,
    Onboarding,
};

// xoshiro256** (Blackman & Vigna): small state, fast, and its output is defined bit for bit, so a stream is
// cheap to create per customer and quarter and gives the same numbers on every platform.
class Rng
{
public:
    Rng(quint64 seed, Stream stream, quint64 a = 0, quint64 b = 0)
    {
        quint64 mix = seed;
        quint64 key = splitMix64(mix) ^ (quint64(stream) * 0xD1B54A32D192ED03ULL);
        key ^= splitMix64(mix) + a * 0x8CB92BA72F3D8DD7ULL;
        key ^= splitMix64(mix) + b * 0xAEF17502108EF2D9ULL;
        for (quint64 &s : m_state)
            s = splitMix64(key);
    }

    quint64 next()
    {
        const quint64 result = rotl(m_state[1] * 5, 7) * 9;
        const quint64 t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    // [0, 1) with 53 random bits.
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // [lo, hi], both inclusive.
    int uniformInt(int lo, int hi)
    {
        if (hi <= lo)
            return lo;
        const quint64 span = quint64(qint64(hi) - qint64(lo) + 1);
        return int(qint64(lo) + qint64(next() % span)); // bias below 2^-30 for our spans
    }
    bool chance(double p) { return uniform() < p; }

    // Box-Muller; one value per call keeps the stream position independent of earlier calls.
    double normal()
    {
        const double u1 = 1.0 - uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    double normal(double mean, double sd) { return mean + sd * normal(); }
    double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

    int poisson(double lambda)
    {
        if (lambda <= 0)
            return 0;
        if (lambda < 30) { // Knuth's product of uniforms: exact, cheap for small means
            const double limit = std::exp(-lambda);
            int k = 0;
            double p = uniform();
            while (p > limit) {
                ++k;
                p *= uniform();
            }
            return k;
        }
        return std::max(0, int(std::lround(lambda + std::sqrt(lambda) * normal())));
    }

    template<typename T, std::size_t N> const T &pick(const T (&items)[N])
    {
        return items[std::size_t(uniformInt(0, int(N) - 1))];
    }

    // Index into `weights` chosen with probability proportional to its weight.
    template<typename Container> int weighted(const Container &weights)
    {
        double total = 0;
        for (double w : weights)
            total += w;
        double x = uniform() * total;
        int i = 0;
        int last = 0;
        for (double w : weights) {
            if (w > 0) {
                if (x < w)
                    return i;
                last = i; // rounding can leave x just above the total: fall back to the last real choice
            }
            x -= w;
            ++i;
        }
        return last;
    }

private:
    static quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<quint64, 4> m_state {};
};

// ------------------------------------------------------------------------------------------------------------
// Dates and timestamps, as days and milliseconds since 1970-01-01 UTC. Formatted by hand: 10 M usage events
// would otherwise build 10 M QDateTime objects only to print them. The output is byte-identical to
// Storage::Convert::toSql (Qt::ISODate for dates, Qt::ISODateWithMs in UTC for timestamps).

int toDay(const QDate &date)
{
    return int(date.toJulianDay() - kJulianDayOfEpoch);
}

QDate fromDay(int day)
{
    return QDate::fromJulianDay(qint64(day) + kJulianDayOfEpoch);
}

int addMonths(int day, int months)
{
    return toDay(fromDay(day).addMonths(months));
}

// Monday = 0; 1970-01-01 was a Thursday.
int weekday(int day)
{
    return ((day % 7) + 10) % 7;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct Civil
{
    int year;
    int month;
    int day;
};

// Howard Hinnant's days_from_civil inverse, valid for the whole proleptic Gregorian calendar.
Civil civilFromDays(qint64 z)
{
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const int d = int(doy - (153 * mp + 2) / 5 + 1);
    const int m = int(mp < 10 ? mp + 3 : mp - 9);
    return { int(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d };
}

void putDigits(QChar *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QChar(char16_t(u'0' + value % 10));
        value /= 10;
    }
}

void putDate(QChar *out, int day)
{
    const Civil c = civilFromDays(day);
    putDigits(out, c.year, 4);
    out[4] = u'-';
    putDigits(out + 5, c.month, 2);
    out[7] = u'-';
    putDigits(out + 8, c.day, 2);
}

QString formatDate(int day)
{
    QString text(10, Qt::Uninitialized);
    putDate(text.data(), day);
    return text;
}

QString formatTimestamp(qint64 ms)
{
    const qint64 day = floorDiv(ms, kMsPerDay);
    qint64 rest = ms - day * kMsPerDay;
    QString text(24, Qt::Uninitialized);
    QChar *out = text.data();
    putDate(out, int(day));
    out[10] = u'T';
    putDigits(out + 11, int(rest / 3'600'000), 2);
    rest %= 3'600'000;
    out[13] = u':';
    putDigits(out + 14, int(rest / 60'000), 2);
    rest %= 60'000;
    out[16] = u':';
    putDigits(out + 17, int(rest / 1000), 2);
    out[19] = u'.';
    putDigits(out + 20, int(rest % 1000), 3);
    out[23] = u'Z';
    return text;
}

// ------------------------------------------------------------------------------------------------------------
// Compact JSON with sorted keys, as QJsonDocument::Compact writes it (so the text matches what the
// repositories store through Storage::Convert). Keys must be added in alphabetical order.

class JsonObject
{
public:
    JsonObject &add(QStringView key, QStringView value)
    {
        separator(key);
        appendString(value);
        return *this;
    }
    JsonObject &add(QStringView key, qint64 value)
    {
        separator(key);
        m_text += QString::number(value);
        return *this;
    }
    JsonObject &add(QStringView key, double value)
    {
        separator(key);
        m_text += QString::number(value, 'g', QLocale::FloatingPointShortest);
        return *this;
    }
    QString text() const { return m_text.isEmpty() ? u"{}"_s : m_text + u'}'; }

    static QString stringArray(const QStringList &items)
    {
        QString out = u"["_s;
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (i > 0)
                out += u',';
            JsonObject::appendString(out, items.at(i));
        }
        return out + u']';
    }
    static void appendString(QString &out, QStringView value)
    {
        out += u'"';
        for (QChar ch : value) {
            if (ch == u'"' || ch == u'\\') {
                out += u'\\';
                out += ch;
            } else if (ch.unicode() < 0x20) {
                out += u"\\u"_s + QString::number(ch.unicode(), 16).rightJustified(4, u'0');
            } else {
                out += ch;
            }
        }
        out += u'"';
    }

private:
    void separator(QStringView key)
    {
        m_text += m_text.isEmpty() ? u'{' : u',';
        appendString(key);
        m_text += u':';
    }
    void appendString(QStringView value) { appendString(m_text, value); }
    QString m_text;
};

// ------------------------------------------------------------------------------------------------------------
// Word lists and catalogues

QString latin(const char *text)
{
    return QString::fromLatin1(text);
}

struct TierDef
{
    const char *name;
    double share;
    double arrMedian;
    double arrSigma;
    double seatPrice; // ARR per seat
    double employeesMedian;
    int contactsMin;
    int contactsMax;
    double ticketsPer30Days;
    double premiumAdoption;
};

enum TierIndex { Strategic, Enterprise, MidMarket, Smb };

constexpr TierDef kTiers[] = {
    { "strategic", 0.02, 420'000, 0.45, 640, 18'000, 6, 8, 3.0, 0.6 },
    { "enterprise", 0.10, 110'000, 0.50, 520, 3'500, 4, 7, 1.5, 0.4 },
    { "mid_market", 0.28, 28'000, 0.50, 430, 600, 3, 5, 0.6, 0.12 },
    { "smb", 0.60, 5'500, 0.60, 330, 60, 2, 4, 0.25, 0.03 },
};

struct IndustryDef
{
    const char *name;
    double weight;
    const char *suffixes[8];
};

constexpr IndustryDef kIndustries[] = {
    { "Software", 18, { "Labs", "Systems", "Software", "Technologies", "Cloud", "Digital", "Data", "AI" } },
    { "Healthcare", 10,
        { "Health", "Medical", "Clinics", "Care", "Therapeutics", "Diagnostics", "Health Partners", "Biosciences" } },
    { "Financial Services", 10,
        { "Capital", "Financial", "Bank", "Insurance", "Partners", "Wealth", "Credit Union", "Payments" } },
    { "Retail", 9, { "Outfitters", "Goods", "Market", "Stores", "Supply", "Boutique", "Brands", "Trading" } },
    { "Manufacturing", 9,
        { "Manufacturing", "Industries", "Works", "Fabrication", "Components", "Machinery", "Materials", "Robotics" } },
    { "Education", 6,
        { "Academy", "University", "Learning", "Schools", "Institute", "College", "Education", "Tutoring" } },
    { "Logistics", 7,
        { "Logistics", "Freight", "Shipping", "Transport", "Cargo", "Distribution", "Fleet", "Couriers" } },
    { "Media", 6, { "Media", "Studios", "Publishing", "Broadcasting", "Press", "Pictures", "Records", "Network" } },
    { "Hospitality", 5, { "Hotels", "Resorts", "Hospitality", "Inns", "Restaurants", "Travel", "Lodges", "Catering" } },
    { "Public Sector", 4,
        { "County", "City Services", "Authority", "Agency", "Council", "Transit", "Water District", "Library" } },
    { "Telecommunications", 4,
        { "Telecom", "Networks", "Communications", "Wireless", "Connect", "Fiber", "Broadband", "Mobile" } },
    { "Energy", 4, { "Energy", "Power", "Renewables", "Utilities", "Solar", "Grid", "Wind", "Fuels" } },
    { "Real Estate", 4,
        { "Properties", "Realty", "Estates", "Developments", "Homes", "Property Group", "Land", "Housing" } },
    { "Nonprofit", 4, { "Foundation", "Alliance", "Trust", "Society", "Fund", "Charities", "Relief", "Initiative" } },
};

constexpr const char *kAdjectives[] = { "North", "South", "East", "West", "Blue", "Silver", "Golden", "Bright", "Clear",
    "Swift", "Iron", "Granite", "Crystal", "Evergreen", "Red", "Green", "Black", "White", "Quiet", "Bold", "True",
    "Prime", "Summit", "Pioneer", "Liberty", "Heritage", "Coastal", "Urban", "Alpine", "Pacific", "Atlantic", "Central",
    "Royal", "Noble", "Rapid", "Solid", "Vivid", "Lucky", "Sunny", "Misty", "Stellar", "Cobalt", "Amber", "Scarlet",
    "Emerald", "Sapphire", "Copper", "Cedar", "Maple", "Willow", "Oak", "Pine", "Aspen", "Birch", "Highland",
    "Lakeside", "Riverside", "Hillside", "Open", "Wild", "Grand", "Little", "Old", "New", "Silent", "Keen"

};

constexpr const char *kNouns[] = { "Harbor", "River", "Ridge", "Peak", "Valley", "Stone", "Bridge", "Field", "Forest",
    "Lake", "Wind", "Star", "Sky", "Wave", "Rock", "Hill", "Meadow", "Creek", "Point", "Gate", "Path", "Tree", "Leaf",
    "Sun", "Moon", "Cloud", "Falcon", "Eagle", "Fox", "Wolf", "Bear", "Hawk", "Lion", "Owl", "Anchor", "Compass",
    "Beacon", "Lantern", "Arrow", "Crown", "Shield", "Tower", "Forge", "Mill", "Haven", "Bay", "Shore", "Canyon",
    "Mesa", "Prairie", "Spring", "Brook", "Island", "Glacier", "Ember", "Orbit", "Vector", "Atlas", "Quill", "Harvest",
    "Signal", "Bloom", "Current", "Horizon", "Pillar", "Keystone"

};

constexpr const char *kNameQualifiers[] = { "Group", "Holdings", "International", "Partners", "Collective", "Co" };

constexpr const char *kFirstNames[] = {
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
    "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Lisa",
    "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily", "Andrew", "Michelle", "Paul",
    "Amanda", "Joshua", "Melissa", "Kevin", "Deborah", "Brian", "Laura", "Priya", "Arjun", "Mei", "Wei", "Hiroshi",
    "Yuki", "Fatima", "Omar", "Sofia", "Lucas", "Chiara", "Matteo", "Ingrid", "Lars", "Amara", "Kwame", "Elena",
    "Mateo", "Camila", "Diego", "Noah", "Olivia", "Liam", "Emma", "Aisha", "Hannah", "Jonas", "Lea", "Tomasz", "Zofia"

};

constexpr const char *kLastNames[] = { "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Patel", "Shah", "Chen", "Wang", "Kim", "Tanaka", "Sato", "Okafor", "Mensah", "Rossi",
    "Bianchi", "Muller", "Schmidt", "Novak", "Kowalski", "Larsen", "Johansson", "Dubois", "Moreau", "Silva", "Costa",
    "Haddad", "Khan", "Ali", "Cohen", "Murphy", "Kelly", "OConnor"

};

struct FeatureDef
{
    const char *key;
    const char *name;
    const char *category;
    bool premium;
    bool core; // still used by accounts that are winding down
    double weight;
    const char *eventTypes[2];
    int quantityKind; // 0 = 1 per event, 1 = API calls, 2 = imported rows
};

constexpr FeatureDef kFeatures[] = {
    { "dashboards", "Dashboards", "analytics", false, true, 30, { "dashboard_viewed", "dashboard_shared" }, 0 },
    { "reports", "Reports", "analytics", false, true, 20, { "report_viewed", "report_exported" }, 0 },
    { "search", "Search", "core", false, true, 14, { "search_performed", nullptr }, 0 },
    { "mobile", "Mobile app", "core", false, true, 6, { "mobile_session", nullptr }, 0 },
    { "workflows", "Workflow automation", "automation", false, false, 10, { "workflow_run", "workflow_created" }, 0 },
    { "integrations", "Integrations", "platform", false, false, 6, { "integration_synced", "integration_connected" },
        0 },
    { "collaboration", "Comments and mentions", "collaboration", false, false, 9, { "comment_added", "mention_sent" },
        0 },
    { "api", "REST API", "platform", false, false, 5, { "api_call", nullptr }, 1 },
    { "admin", "Admin console", "admin", false, false, 3, { "settings_changed", "user_invited" }, 0 },
    { "alerts", "Alerts", "automation", false, false, 5, { "alert_triggered", "alert_configured" }, 0 },
    { "data_import", "Data import", "platform", false, false, 2, { "import_completed", nullptr }, 2 },
    { "analytics_pro", "Analytics Pro", "analytics", true, false, 7, { "analysis_run", "forecast_created" }, 0 },
    { "ai_assistant", "AI assistant", "ai", true, false, 6, { "assistant_query", nullptr }, 0 },
    { "sso", "Single sign-on", "security", true, false, 3, { "sso_login", nullptr }, 0 },
    { "audit_log", "Audit log", "security", true, false, 1, { "audit_log_viewed", "audit_log_exported" }, 0 },
    { "sandbox", "Sandbox environments", "platform", true, false, 2, { "sandbox_deployed", nullptr }, 0 },
};
constexpr int kFeatureCount = int(std::size(kFeatures));

struct SlaDef
{
    const char *priority;
    int firstResponseMinutes;
    int resolutionMinutes;
};
constexpr SlaDef kSla[] = {
    { "p0", 5, 60 },
    { "p1", 30, 240 },
    { "p2", 120, 1440 },
    { "p3", 240, 2880 },
    { "p4", 480, 4320 },
};

struct MilestoneDef
{
    const char *name;
    int offsetDays;
    const char *tasks[3];
};

struct TemplateDef
{
    const char *name;
    const char *description;
    const char *tier; // nullptr = any tier (trials)
    const char *complexity;
    int targetTtvDays;
    MilestoneDef milestones[6];
};

constexpr TemplateDef kTemplates[] = {
    { "Strategic onboarding", "White-glove rollout with a success plan, architecture review and phased go-live.",
        "strategic", "high", 90,
        { { "Kickoff and success plan", 5, { "Run kickoff meeting", "Agree success criteria", "Share project plan" } },
            { "Architecture review", 15,
                { "Review SSO and security requirements", "Confirm data residency", "Sign off architecture" } },
            { "Integrations and data migration", 35,
                { "Connect CRM integration", "Migrate historical data", "Validate imported records" } },
            { "Admin and champion training", 50,
                { "Train administrators", "Train champions", "Publish internal guide" } },
            { "Pilot team live", 65, { "Launch pilot team", "Collect pilot feedback", "Fix pilot blockers" } },
            { "Company-wide go-live", 90,
                { "Roll out to all teams", "Executive go-live review", "Hand over to adoption plan" } } } },
    { "Enterprise onboarding", "Structured rollout for enterprise accounts with integrations and admin training.",
        "enterprise", "high", 60,
        { { "Kickoff", 3, { "Run kickoff meeting", "Agree success criteria", "Share project plan" } },
            { "Technical setup", 10, { "Configure SSO", "Set up workspaces", "Invite administrators" } },
            { "Integrations", 25, { "Connect CRM integration", "Connect data warehouse", "Test data sync" } },
            { "Admin training", 35, { "Train administrators", "Record training session", "Share admin checklist" } },
            { "Team rollout", 45, { "Invite all users", "Run team training", "Set up first dashboards" } },
            { "Go-live review", 60, { "Review adoption metrics", "Confirm success criteria", "Plan first QBR" } } } },
    { "Mid-market onboarding", "Guided setup for mid-market teams: configuration, data import and training.",
        "mid_market", "medium", 45,
        { { "Kickoff", 3, { "Run kickoff call", "Agree goals", "Share onboarding plan" } },
            { "Technical setup", 10, { "Create workspace", "Invite administrators", "Configure permissions" } },
            { "Data import", 20, { "Prepare import file", "Import data", "Validate records" } },
            { "Team training", 30, { "Run team training", "Share how-to guides", "Set up first workflow" } },
            { "Go-live", 45, { "Invite all users", "Review first month usage", "Hand over to CSM" } },
            { nullptr, 0, { nullptr, nullptr, nullptr } } } },
    { "SMB quick start", "Light-touch onboarding for small teams: welcome call, setup and first workflow.", "smb",
        "low", 21,
        { { "Welcome call", 2, { "Run welcome call", "Share quick start guide", nullptr } },
            { "Account setup", 5, { "Create workspace", "Import contacts", nullptr } },
            { "First workflow live", 12, { "Build first workflow", "Create first dashboard", nullptr } },
            { "Team invited", 21, { "Invite the team", "Check first week usage", nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } }, { nullptr, 0, { nullptr, nullptr, nullptr } } } },
    { "Self-serve trial", "Trial accounts: sign-up, first value and a review call before conversion.", nullptr, "low",
        14,
        { { "Sign up and invite team", 1, { "Verify e-mail", "Invite teammates", nullptr } },
            { "First dashboard", 5, { "Connect a data source", "Create first dashboard", nullptr } },
            { "Trial review call", 14, { "Book review call", "Send proposal", nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } }, { nullptr, 0, { nullptr, nullptr, nullptr } },
            { nullptr, 0, { nullptr, nullptr, nullptr } } } },
};
constexpr int kTrialTemplate = 4;

int milestoneCount(const TemplateDef &t)
{
    int n = 0;
    while (n < 6 && t.milestones[n].name)
        ++n;
    return n;
}

int taskCount(const MilestoneDef &m)
{
    int n = 0;
    while (n < 3 && m.tasks[n])
        ++n;
    return n;
}

struct SurveyDef
{
    const char *name;
    const char *kind;
    const char *question;
    const char *channel;
};
enum SurveyIndex { SurveyNps, SurveyOnboardingCsat, SurveyCes, SurveyProductCsat };
constexpr SurveyDef kSurveys[] = {
    { "Quarterly relationship NPS", "nps",
        "How likely are you to recommend us to a friend or colleague? (0 = not at all likely, 10 = extremely likely)",
        "email" },
    { "Onboarding CSAT", "csat", "How satisfied are you with your onboarding experience? (1-5)", "email" },
    { "Support effort score", "ces", "How easy was it to get your issue resolved? (1 = very difficult, 7 = very easy)",
        "in_app" },
    { "In-app product CSAT", "csat", "How satisfied are you with the product today? (1-5)", "in_app" },
};

// Comment templates by score band, so that sentiment analysis and theme detection have something true to find.
constexpr const char *kPromoterComments[] = {
    "We rely on %1 every day and the whole team loves it.",
    "Fantastic support and the product keeps getting better.",
    "Easy to use and it saves us hours every week. Highly recommend.",
    "Our CSM is great and the %1 rollout was smooth.",
    "Best tool we have adopted in years, everyone is on board.",
    "Reliable, fast and the new %1 features are excellent.",
};
constexpr const char *kPassiveComments[] = {
    "Good product overall, but %1 could be faster.",
    "Does what we need. Reporting is a bit limited.",
    "Solid, though pricing is getting hard to justify.",
    "Works well, we would like more integrations.",
    "Fine for now, %1 still has a few rough edges.",
};
constexpr const char *kDetractorComments[] = {
    "Too many bugs lately and support takes days to respond.",
    "%1 keeps failing and nobody follows up. We are evaluating alternatives.",
    "Hard to use and the team has stopped logging in.",
    "Very disappointed with the slow performance and outages.",
    "Not worth the price anymore, we are considering cancelling.",
    "Frustrated: the same %1 issue has been open for weeks.",
};
constexpr const char *kCsatGoodComments[] = {
    "Very satisfied, everything went smoothly.",
    "Helpful team and clear guidance.",
    "Great experience, quick and friendly.",
};
constexpr const char *kCsatMidComments[] = {
    "It was okay, some steps were confusing.",
    "Average experience, took longer than expected.",
};
constexpr const char *kCsatBadComments[] = {
    "Frustrating experience with too many delays.",
    "Poor experience, our issues were not resolved.",
    "Unhappy with the slow responses.",
};
constexpr const char *kCesEasyComments[] = {
    "Quick and easy, solved on first contact.",
    "Very easy, the agent knew exactly what to do.",
};
constexpr const char *kCesMidComments[] = {
    "Took a couple of emails but we got there.",
    "Some back and forth, but resolved in the end.",
};
constexpr const char *kCesHardComments[] = {
    "Had to explain the problem several times, very frustrating.",
    "Difficult, the issue bounced between teams for days.",
};

struct TicketCategoryDef
{
    const char *name;
    double normalWeight;
    double spikeWeight;
    const char *subjects[3];
};
constexpr TicketCategoryDef kTicketCategories[] = {
    { "how_to", 30, 8, { "How do I configure %1?", "Question about %1 permissions", "Best practice for %1 setup" } },
    { "bug", 20, 30, { "%1 shows an error when saving", "Unexpected error in %1", "%1 export fails intermittently" } },
    { "performance", 8, 22, { "%1 is very slow to load", "Timeouts when opening %1", "%1 pages hang for minutes" } },
    { "integration", 10, 14,
        { "Integration sync failing since yesterday", "Webhook deliveries delayed",
            "%1 data not syncing to our CRM" } },
    { "access", 10, 6, { "Users cannot log in", "Need to reset admin access", "New users do not receive invites" } },
    { "billing", 8, 12,
        { "Invoice does not match seat count", "Question about our renewal invoice", "Request to reduce seats" } },
    { "feature_request", 14, 8,
        { "Request: bulk edit in %1", "Can %1 support custom fields?", "Feature request for %1 filters" } },
};

constexpr const char *kTicketChannels[] = { "email", "web", "chat", "phone", "api" };
constexpr double kTicketChannelWeights[] = { 45, 30, 15, 7, 3 };
constexpr double kNormalPriorityWeights[] = { 1, 6, 25, 48, 20 };
constexpr double kSpikePriorityWeights[] = { 6, 26, 40, 23, 5 };

constexpr const char *kSupportAgents[] = {
    "alex.morgan@support.csdesk.example",
    "sam.rivera@support.csdesk.example",
    "jordan.lee@support.csdesk.example",
    "casey.nguyen@support.csdesk.example",
    "riley.patel@support.csdesk.example",
    "taylor.kim@support.csdesk.example",
    "morgan.silva@support.csdesk.example",
    "jamie.okafor@support.csdesk.example",
};

constexpr const char *kLostReasons[] = { "Budget frozen", "Chose a competitor", "Timing: revisit next quarter",
    "No executive sponsor", "Not a priority this year" };

struct RoleDef
{
    const char *role;
    const char *titles[3];
};
constexpr RoleDef kRoles[] = {
    { "champion", { "Head of Operations", "Director of Customer Operations", "Program Manager" } },
    { "decision_maker", { "Director of IT", "Head of Digital", "VP Product" } },
    { "executive_sponsor", { "VP Operations", "Chief Operating Officer", "SVP Strategy" } },
    { "economic_buyer", { "Chief Financial Officer", "VP Finance", "Procurement Lead" } },
    { "admin", { "System Administrator", "IT Manager", "Platform Owner" } },
    { "technical", { "Solutions Architect", "Lead Engineer", "Integration Specialist" } },
    { "billing", { "Accounts Payable Manager", "Finance Manager", "Billing Specialist" } },
    { "end_user", { "Analyst", "Operations Specialist", "Team Lead" } },
};
enum RoleIndex { Champion, DecisionMaker, ExecutiveSponsor, EconomicBuyer, Admin, Technical, Billing, EndUser };

struct RegionDef
{
    const char *name;
    double share;
    int utcOffsetMinutes;
};
constexpr RegionDef kRegions[] = { { "NA", 55, -300 }, { "EMEA", 30, 60 }, { "APAC", 15, 480 } };

constexpr double kWeekdayFactor[7] = { 1.05, 1.12, 1.12, 1.08, 0.93, 0.32, 0.24 };

// ------------------------------------------------------------------------------------------------------------
// The story of one customer, decided before any row is written.

enum class Fate {
    Healthy,
    AtRisk, // active, showing the warning signs now (the near misses)
    Recovering, // went through a bad patch earlier in the history and renewed anyway
    Churned, // left, with declining usage, detractor scores and a ticket spike beforehand
    SilentChurn, // left without warning (budget cut, acquisition): noise for the model
    Trial,
};

enum class Term { Monthly, Annual, MultiYear };

enum class Outcome { Upcoming, Renewed, Expanded, Downgraded, Churned };

struct ContractPlan
{
    qint64 id = 0;
    int number = 0;
    int start = 0;
    int end = 0;
    double arr = 0;
    int seatsPurchased = 0;
    int seatsUsed = 0;
    QString status;
    QString payment;
    bool autoRenew = false;
};

struct RenewalPlan
{
    qint64 id = 0;
    qint64 contractId = 0;
    int day = 0;
    Outcome outcome = Outcome::Upcoming;
    double factor = 1; // ARR change asked for by the outcome, applied in date order
    double arrBefore = 0;
    double arrAfter = 0;
    int closedDay = -1;
    double probability = -1; // -1 = not assessed
    double proposed = -1;
    bool checkpoint180 = false;
    bool checkpoint90 = false;
};

struct OpportunityPlan
{
    qint64 id = 0;
    QString kind;
    QString product;
    QString title;
    QString stage;
    int createdDay = 0;
    int closedDay = -1;
    double factor = 0; // won expansions: ARR growth, applied in date order
    double estimated = 0;
    double won = -1;
    double score = -1;
    QString evidence;
    QString lostReason;
};

struct ArrChange
{
    int day = 0;
    QString kind; // new, expansion, contraction, churn
    double before = 0;
    double after = 0;
    QString reason;
    QString sourceTable;
    qint64 sourceId = 0;
};

struct CustomerPlan
{
    int index = 0;
    QString id;
    QString name;
    QString domain;
    int industry = 0;
    int region = 0;
    int tier = Smb;
    int employees = 0;
    QString owner;
    Fate fate = Fate::Healthy;
    Term term = Term::Annual;
    int termMonths = 12;

    int since = 0; // first contract (or trial) day
    int end = 0; // first day without activity: churn day or today
    int churnDay = -1;
    int declineStart = -1;
    int declineEnd = -1;
    double declineDepth = 1; // usage multiplier reached at declineEnd
    int dipStart = -1;
    int dipEnd = -1;
    int spikeStart = -1;
    int spikeEnd = -1;

    double growth = 0; // log growth of usage per year
    double engagement = 1;
    double sentiment = 0.75; // 0..1, drives survey scores
    double utilisation = 0.8;
    double ticketPropensity = 1;
    int users = 1;
    quint32 features = 0; // bit i = kFeatures[i] adopted
    double sessionsPerDay = 0; // usage scale, set from the portfolio's event budget

    double arr = 0;
    std::vector<ContractPlan> contracts;
    std::vector<RenewalPlan> renewals;
    std::vector<OpportunityPlan> opportunities;
    std::vector<ArrChange> arrChanges;

    qint64 contactBase = 0;
    int contactCount = 0;

    int templateIndex = -1;
    qint64 planId = 0;
    qint64 milestoneBase = 0;
    QString planStatus;
    int ttvActual = 0;
    int stallAfter = 99; // milestones from this position on make no progress

    QString status;
    QString lifecycle;
};

struct ContactInfo
{
    QString name;
    QString email;
    QString title;
    QString role;
    QString phone;
};

struct MilestoneState
{
    int position = 0;
    int due = 0;
    int startedDay = -1;
    int completedDay = -1;
    QString status;
};

// ------------------------------------------------------------------------------------------------------------
// Writing

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}
QVariant nullReal()
{
    return QVariant(QMetaType::fromType<double>());
}
QVariant nullInt()
{
    return QVariant(QMetaType::fromType<qint64>());
}

// Usage is written a quarter at a time. Measured at 20,000 customers / 2 M events (256 MiB cache): page writes
// 1.33 M with monthly chunks, 1.02 M quarterly, 1.16 M for the whole year in one pass; page reads likewise.
// A quarter keeps the (occurred_at) index's working set small and sweeps the (customer_id, occurred_at) index
// only four times a year.
constexpr int kUsageChunkMonths = 3;

// Rows reach SQLite through BulkInserter's native path (one statement prepared per table, values bound with
// sqlite3_bind_*). Through Qt's driver, whose named placeholders made preparing cost O(placeholders²), ~500
// placeholders per statement was measured best; wider statements execute no faster either way (the per-row cost
// is SQLite's b-tree inserts), and PostgreSQL still binds through QSqlQuery, so the size stays.
constexpr int kPlaceholdersPerStatement = 512;

// One table's inserter plus the row being filled (reused, so each row does not allocate a new list).
struct Table
{
    Table(const Storage::Database &db, const QString &table, const QStringList &columns)
        : name(table)
        , inserter(db, table, columns, std::max(4, kPlaceholdersPerStatement / int(columns.size())))
    {
        row.resize(columns.size());
    }
    Q_DISABLE_COPY_MOVE(Table)
    QString name;
    Storage::BulkInserter inserter;
    QVariantList row;
    qint64 count = 0;
};

// Commits every kRowsPerCommit rows so that the WAL (or PostgreSQL's transaction) stays bounded and a
// failure loses one chunk, not the whole run; the inserters of the running pass are flushed first.
class ChunkedWriter
{
public:
    explicit ChunkedWriter(const Storage::Database &db)
        : m_db(db)
    { }

    Status begin()
    {
        m_tx.emplace(m_db);
        if (!m_tx->isActive()) {
            const Error error = m_tx->beginError();
            m_tx.reset();
            return error;
        }
        return {};
    }

    void attach(std::initializer_list<Table *> tables) { m_tables.assign(tables); }

    Status add(Table &table)
    {
        if (auto ok = table.inserter.add(table.row); !ok)
            return ok;
        ++table.count;
        ++m_total;
        if (++m_sinceCommit >= kRowsPerCommit)
            return commit(true);
        return {};
    }

    Status flushAll()
    {
        for (Table *table : m_tables) {
            if (auto ok = table->inserter.flush(); !ok)
                return ok;
        }
        return {};
    }

    // Ends a pass: its rows reach the database before the next pass writes rows that reference them.
    Status finishPass()
    {
        auto ok = flushAll();
        m_tables.clear();
        return ok;
    }

    Status commit(bool reopen)
    {
        if (auto ok = flushAll(); !ok)
            return ok;
        if (m_tx) {
            if (auto ok = m_tx->commit(); !ok)
                return ok;
            m_tx.reset();
            m_committed = true;
        }
        m_sinceCommit = 0;
        return reopen ? begin() : Status {};
    }

    void rollback() { m_tx.reset(); }
    bool committedAny() const { return m_committed; }
    qint64 total() const { return m_total; }
    void countExtra(qint64 rows) { m_total += rows; }

private:
    const Storage::Database &m_db;
    std::optional<Storage::Transaction> m_tx;
    std::vector<Table *> m_tables;
    qint64 m_sinceCommit = 0;
    qint64 m_total = 0;
    bool m_committed = false;
};

// At most one report per kProgressIntervalMs, plus the final one of each stage.
class ProgressReporter
{
public:
    explicit ProgressReporter(const DemoPortfolio::Progress &callback)
        : m_callback(callback)
    {
        m_clock.start();
    }
    void begin(const QString &stage, qint64 total)
    {
        m_stage = stage;
        m_total = total;
        m_done = 0;
        maybeReport();
    }
    void advance(qint64 n)
    {
        m_done += n;
        maybeReport();
    }
    void finish()
    {
        // The planned total of a stage is an estimate for some stages (usage events): end on done/done.
        if (m_callback)
            m_callback(m_stage, m_done, m_done);
        m_last = m_clock.elapsed();
    }

private:
    void maybeReport()
    {
        if (!m_callback)
            return;
        const qint64 now = m_clock.elapsed();
        if (m_last >= 0 && now - m_last < kProgressIntervalMs)
            return;
        m_last = now;
        m_callback(m_stage, std::min(m_done, m_total), m_total);
    }
    DemoPortfolio::Progress m_callback;
    QElapsedTimer m_clock;
    QString m_stage;
    qint64 m_total = 0;
    qint64 m_done = 0;
    qint64 m_last = -1;
};

QString slugOf(const QString &name)
{
    QString slug;
    slug.reserve(name.size());
    bool dash = false;
    for (QChar ch : name) {
        if (ch.isLetterOrNumber() && ch.unicode() < 128) {
            slug += ch.toLower();
            dash = false;
        } else if (!dash && !slug.isEmpty()) {
            slug += u'-';
            dash = true;
        }
    }
    while (slug.endsWith(u'-'))
        slug.chop(1);
    return slug;
}

double roundArr(double value)
{
    return std::max(0.0, std::round(value / 10.0) * 10.0);
}

// PRAGMA synchronous=OFF for the duration of one generation, on the generator's own connection, put back
// afterwards. Never for normal writes: with NORMAL, every WAL checkpoint (one per committed chunk) waits for
// fdatasync, measured here at ~100 ms each, 15-30 s over a full-size run. A demo generator can simply be run
// again (with --replace) if the machine dies mid-run, so it may skip those waits; restore() checkpoints with
// a sync once at the end, so the finished portfolio is as durable as any other.
// (A larger page cache was measured too: 256 MiB and 1 GiB instead of 64 MiB made no difference to CPU time
// with quarterly usage chunks, only to memory, so the cache is left alone.)
class SqliteTuning
{
public:
    explicit SqliteTuning(const Storage::Database &db)
        : m_db(db)
    {
        if (db.dialect() != Storage::Dialect::Sqlite || db.transactionDepth() > 0)
            return; // inside the caller's transaction nothing may change (and PostgreSQL needs nothing)
        auto q = Storage::exec(db, u"PRAGMA synchronous"_s);
        if (!q || !q->next())
            return;
        const QString synchronous = q->value(0).toString();
        if (Storage::exec(db, u"PRAGMA synchronous=OFF"_s))
            m_synchronous = synchronous;
    }
    ~SqliteTuning() { static_cast<void>(restore()); }
    Q_DISABLE_COPY_MOVE(SqliteTuning)

    Status restore()
    {
        if (m_synchronous.isEmpty())
            return {};
        const QString synchronous = std::exchange(m_synchronous, QString());
        if (auto q = Storage::exec(m_db, u"PRAGMA synchronous="_s + synchronous); !q)
            return q.error();
        // Everything written while syncing was off reaches the disk before the run reports success.
        if (auto q = Storage::exec(m_db, u"PRAGMA wal_checkpoint(FULL)"_s); !q)
            return q.error();
        return {};
    }

private:
    const Storage::Database &m_db;
    QString m_synchronous; // the setting to put back; empty when nothing was changed
};

// ------------------------------------------------------------------------------------------------------------

class Generator
{
public:
    Generator(
        const Storage::Database &db, const DemoPortfolio::Options &options, const DemoPortfolio::Progress &progress)
        : m_db(db)
        , m_options(options)
        , m_progress(progress)
        , m_writer(db)
    { }

    Result<DemoPortfolio::Stats> run();

private:
    Result<DemoPortfolio::Stats> generate();
    Status validate();
    Status prepareDatabase();
    Status wipePortfolio();
    Result<qint64> nextId(const QString &table);
    Status writeReferenceData();
    void planPortfolio();
    void planIdentity(CustomerPlan &c, QSet<QString> &names, QHash<QString, int> &domains, int digits);
    void planStory(CustomerPlan &c, Fate fate);
    void planRevenue(CustomerPlan &c);
    void planOnboarding(CustomerPlan &c);
    void planLifecycle(CustomerPlan &c);
    void planUsageBudget();

    double healthFactor(const CustomerPlan &c, int day) const;
    double sentimentAt(const CustomerPlan &c, int day) const;
    double declineProgress(const CustomerPlan &c, int day) const;
    std::vector<ContactInfo> contactsOf(const CustomerPlan &c) const;
    std::vector<MilestoneState> milestonesOf(const CustomerPlan &c) const;
    QString featureNameFor(const CustomerPlan &c, Rng &rng) const;
    qint64 businessTime(const CustomerPlan &c, int day, Rng &rng) const;
    qint64 clampPast(qint64 ms) const { return std::min(ms, m_nowMs - 1); }

    Status writeCustomers();
    Status writeContacts();
    Status writeContracts();
    Status writeRevenue();
    Status writeUsage();
    Status writeTickets();
    Status writeSurveys();
    Status writeOnboarding();
    Status fixSequences();

    Status addTimeline(Table &timeline, const CustomerPlan &c, qint64 ms, const QString &kind, const QString &title,
        const QString &detail, const QString &sourceTable, const QString &sourceId, const QString &actor);

    const Storage::Database &m_db;
    DemoPortfolio::Options m_options;
    ProgressReporter m_progress;
    ChunkedWriter m_writer;

    quint64 m_seed = 0;
    int m_today = 0; // T: the portfolio's "now" is today 00:00 UTC; history is [m_historyStart, m_today)
    int m_historyStart = 0;
    qint64 m_nowMs = 0;
    qint64 m_eventBudget = 0;

    QStringList m_csms;
    std::vector<CustomerPlan> m_customers;
    std::vector<int> m_order; // customer indexes sorted by id: the order rows are written in
    std::array<qint64, std::size(kSurveys)> m_surveyIds {};
    std::array<qint64, std::size(kTemplates)> m_templateIds {};
    std::array<std::array<qint64, 6>, std::size(kTemplates)> m_templateMilestoneIds {};
    std::vector<QString> m_dayText; // formatted dates of the history, by day - m_historyStart

    qint64 m_nextContactId = 0;
    qint64 m_plannedContacts = 0;
    qint64 m_nextContractId = 0;
    qint64 m_nextRenewalId = 0;
    qint64 m_nextOpportunityId = 0;
    qint64 m_nextPlanId = 0;
    qint64 m_nextMilestoneId = 0;
    qint64 m_nextTicketId = 0;
    qint64 m_nextResponseId = 0;

    DemoPortfolio::Stats m_stats;
};

Status Generator::validate()
{
    if (m_options.customers < 1 || m_options.customers > 1'000'000)
        return Error::invalid(u"customers"_s, u"must be between 1 and 1000000"_s);
    if (m_options.monthsOfHistory < 1 || m_options.monthsOfHistory > 60)
        return Error::invalid(u"months_of_history"_s, u"must be between 1 and 60"_s);
    if (m_options.usageEvents < -1)
        return Error::invalid(u"usage_events"_s, u"must be 0 or more (or -1 for about 100 per customer)"_s);
    return {};
}

Result<qint64> Generator::nextId(const QString &table)
{
    auto q = Storage::exec(m_db, u"SELECT COALESCE(MAX(id), 0) FROM "_s + table);
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() + 1 : 1;
}

// Everything that hangs off customers, children first. Deleting the children explicitly is much faster than
// letting ON DELETE CASCADE do it row by row: several child tables only have partial indexes on customer_id
// (WHERE deleted_at IS NULL), which SQLite cannot use for the cascade's lookups.
Status Generator::wipePortfolio()
{
    static const QString statements[] = {
        u"DELETE FROM ticket_comments"_s,
        u"DELETE FROM escalations"_s,
        u"DELETE FROM onboarding_tasks"_s,
        u"DELETE FROM onboarding_milestones"_s,
        u"DELETE FROM onboarding_plans"_s,
        u"DELETE FROM training_attendees"_s,
        u"DELETE FROM training_sessions"_s,
        u"DELETE FROM certifications"_s,
        u"DELETE FROM communications"_s,
        u"DELETE FROM tasks WHERE customer_id IS NOT NULL"_s,
        u"DELETE FROM enrolments"_s,
        u"DELETE FROM community_members"_s,
        u"DELETE FROM advocates"_s,
        u"DELETE FROM executive_reviews"_s,
        u"DELETE FROM alerts WHERE customer_id IS NOT NULL"_s,
        u"DELETE FROM notes"_s,
        u"DELETE FROM segment_members"_s,
        u"DELETE FROM usage_events"_s,
        // The first usage day goes with the rows; cleared first, the usage_daily triggers (migration 0016) find no
        // customer whose first day a deleted row was, and look up no next day per customer.
        u"UPDATE customers SET first_usage_day = NULL"_s,
        u"DELETE FROM usage_daily"_s,
        u"DELETE FROM health_scores"_s,
        u"DELETE FROM churn_predictions"_s,
        u"DELETE FROM lifecycle_transitions"_s,
        u"DELETE FROM adoption_milestones"_s,
        u"DELETE FROM ticket_sla_pauses"_s,
        u"DELETE FROM support_tickets"_s,
        u"DELETE FROM customer_portal_settings"_s,
        u"DELETE FROM renewals"_s,
        u"DELETE FROM expansion_opportunities"_s,
        u"DELETE FROM arr_movements"_s,
        u"DELETE FROM survey_responses"_s,
        u"DELETE FROM timeline_events"_s,
        u"DELETE FROM contracts"_s,
        u"DELETE FROM contacts"_s,
        u"DELETE FROM customers"_s,
    };
    for (const QString &statement : statements) {
        if (auto q = Storage::exec(m_db, statement); !q)
            return q.error();
    }
    return {};
}

Status Generator::prepareDatabase()
{
    auto q = Storage::exec(m_db, u"SELECT COUNT(*) FROM customers"_s);
    if (!q)
        return q.error();
    const qint64 existing = q->next() ? q->value(0).toLongLong() : 0;
    if (existing > 0) {
        if (!m_options.replaceExisting)
            return Error::invalid(u"db"_s,
                u"already holds a portfolio of %1 customers; the demo generator only writes into an "
                "empty database unless asked to replace it (--replace)"_s.arg(existing));
        if (auto ok = wipePortfolio(); !ok)
            return ok;
    }
    return {};
}

Status Generator::writeReferenceData()
{
    m_progress.begin(u"reference data"_s, 4);
    const QString historyStart = formatTimestamp(qint64(m_historyStart) * kMsPerDay);
    // Catalogues are shared with whatever else uses the database, so they are added when missing and
    // reused when present, never duplicated.
    for (const FeatureDef &f : kFeatures) {
        auto existing
            = Storage::exec(m_db, u"SELECT id FROM features WHERE key = ? AND deleted_at IS NULL"_s, { latin(f.key) });
        if (!existing)
            return existing.error();
        if (existing->next())
            continue;
        auto inserted = Storage::exec(m_db,
            u"INSERT INTO features (key, name, category, description, is_premium, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
            { latin(f.key), latin(f.name), latin(f.category), QVariant(QString(latin(f.name) + u" in the product"_s)),
                QVariant(f.premium), historyStart, historyStart });
        if (!inserted)
            return inserted.error();
        m_writer.countExtra(1);
    }
    m_progress.advance(1);

    for (const SlaDef &s : kSla) {
        auto existing = Storage::exec(m_db, u"SELECT id FROM sla_policies WHERE priority = ?"_s, { latin(s.priority) });
        if (!existing)
            return existing.error();
        if (existing->next())
            continue;
        auto inserted = Storage::exec(m_db,
            u"INSERT INTO sla_policies (priority, first_response_minutes, resolution_minutes, "
            "at_risk_ratio, business_hours_only, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
            { latin(s.priority), s.firstResponseMinutes, s.resolutionMinutes, 0.8, QVariant(false), historyStart,
                historyStart });
        if (!inserted)
            return inserted.error();
        m_writer.countExtra(1);
    }

    static const std::pair<const char *, const char *> customFields[]
        = { { "employees", "numeric" }, { "region", "categorical" } };
    for (const auto &[key, type] : customFields) {
        auto existing = Storage::exec(
            m_db, u"SELECT id FROM custom_field_definitions WHERE key = ? AND deleted_at IS NULL"_s, { latin(key) });
        if (!existing)
            return existing.error();
        if (existing->next())
            continue;
        const QString label = latin(key).left(1).toUpper() + latin(key).mid(1);
        auto inserted = Storage::exec(m_db,
            u"INSERT INTO custom_field_definitions (key, label, data_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"_s,
            { latin(key), label, latin(type), historyStart, historyStart });
        if (!inserted)
            return inserted.error();
        m_writer.countExtra(1);
    }
    m_progress.advance(1);

    for (std::size_t i = 0; i < std::size(kSurveys); ++i) {
        const SurveyDef &s = kSurveys[i];
        auto existing = Storage::exec(m_db,
            u"SELECT id FROM surveys WHERE name = ? AND kind = ? AND deleted_at IS NULL ORDER BY id LIMIT 1"_s,
            { latin(s.name), latin(s.kind) });
        if (!existing)
            return existing.error();
        if (existing->next()) {
            m_surveyIds[i] = existing->value(0).toLongLong();
            continue;
        }
        auto id = nextId(u"surveys"_s);
        if (!id)
            return id.error();
        auto inserted = Storage::exec(m_db,
            u"INSERT INTO surveys (id, kind, name, question, status, channel, opens_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)"_s,
            { *id, latin(s.kind), latin(s.name), latin(s.question), latin(s.channel), historyStart, historyStart,
                historyStart });
        if (!inserted)
            return inserted.error();
        m_surveyIds[i] = *id;
        m_writer.countExtra(1);
    }
    m_progress.advance(1);

    for (std::size_t t = 0; t < std::size(kTemplates); ++t) {
        const TemplateDef &def = kTemplates[t];
        auto existing = Storage::exec(m_db,
            u"SELECT id FROM onboarding_templates WHERE lower(name) = lower(?) AND deleted_at IS NULL"_s,
            { latin(def.name) });
        if (!existing)
            return existing.error();
        const bool found = existing->next();
        qint64 templateId = found ? existing->value(0).toLongLong() : 0;
        if (!found) {
            auto id = nextId(u"onboarding_templates"_s);
            if (!id)
                return id.error();
            templateId = *id;
            auto inserted = Storage::exec(m_db,
                u"INSERT INTO onboarding_templates (id, name, description, tier, complexity, target_ttv_days, "
                "is_active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                { templateId, latin(def.name), latin(def.description),
                    def.tier ? QVariant(latin(def.tier)) : nullText(), latin(def.complexity), def.targetTtvDays,
                    QVariant(true), historyStart, historyStart });
            if (!inserted)
                return inserted.error();
            m_writer.countExtra(1);
        }
        m_templateIds[t] = templateId;
        for (int m = 0; m < milestoneCount(def); ++m) {
            const MilestoneDef &md = def.milestones[m];
            auto row = Storage::exec(m_db,
                u"SELECT id FROM onboarding_template_milestones WHERE template_id = ? AND "
                "position = ? ORDER BY id LIMIT 1"_s,
                { templateId, m });
            if (!row)
                return row.error();
            if (row->next()) {
                m_templateMilestoneIds[t][std::size_t(m)] = row->value(0).toLongLong();
                continue;
            }
            auto id = nextId(u"onboarding_template_milestones"_s);
            if (!id)
                return id.error();
            QStringList tasks;
            for (int k = 0; k < taskCount(md); ++k)
                tasks << latin(md.tasks[k]);
            auto inserted = Storage::exec(m_db,
                u"INSERT INTO onboarding_template_milestones (id, template_id, position, name, "
                "offset_days, tasks, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s,
                { *id, templateId, m, latin(md.name), md.offsetDays, JsonObject::stringArray(tasks), historyStart,
                    historyStart });
            if (!inserted)
                return inserted.error();
            m_templateMilestoneIds[t][std::size_t(m)] = *id;
            m_writer.countExtra(1);
        }
    }
    m_progress.advance(1);
    m_progress.finish();
    return {};
}

// ------------------------------------------------------------------------------------------------------------
// Planning

void Generator::planIdentity(CustomerPlan &c, QSet<QString> &names, QHash<QString, int> &domains, int digits)
{
    Rng rng(m_seed, Stream::Identity, quint64(c.index));
    double industryWeights[std::size(kIndustries)];
    for (std::size_t i = 0; i < std::size(kIndustries); ++i)
        industryWeights[i] = kIndustries[i].weight;
    c.industry = rng.weighted(industryWeights);
    const IndustryDef &industry = kIndustries[c.industry];
    double regionWeights[std::size(kRegions)];
    for (std::size_t i = 0; i < std::size(kRegions); ++i)
        regionWeights[i] = kRegions[i].share;
    c.region = rng.weighted(regionWeights);

    QString name;
    for (int attempt = 0;; ++attempt) {
        const QString suffix = latin(industry.suffixes[rng.uniformInt(0, 7)]);
        const double form = rng.uniform();
        if (form < 0.45) {
            name = latin(rng.pick(kAdjectives)) + u' ' + latin(rng.pick(kNouns)) + u' ' + suffix;
        } else if (form < 0.75) {
            name = latin(rng.pick(kNouns)) + u' ' + suffix;
        } else {
            // "Silverbrook Logistics": an adjective fused with a noun reads like a brand.
            name = latin(rng.pick(kAdjectives)) + latin(rng.pick(kNouns)).toLower() + u' ' + suffix;
        }
        if (attempt >= 6)
            name += u' ' + latin(rng.pick(kNameQualifiers));
        if (attempt >= 10)
            name += u' ' + QString::number(c.index + 1); // unique by construction
        if (!names.contains(name))
            break;
    }
    names.insert(name);
    c.name = name;
    const QString slug = slugOf(name);
    c.id = slug + u'-' + QString::number(c.index + 1).rightJustified(digits, u'0');
    // RFC 2606 reserves .example: demo e-mail addresses can never reach a real company.
    int &taken = domains[slug];
    ++taken;
    c.domain = (taken == 1 ? slug : slug + u'-' + QString::number(taken)) + u".example"_s;
}

void Generator::planStory(CustomerPlan &c, Fate fate)
{
    Rng rng(m_seed, Stream::Story, quint64(c.index));
    const int history = m_today - m_historyStart;
    c.fate = fate;

    double tierWeights[std::size(kTiers)];
    for (std::size_t i = 0; i < std::size(kTiers); ++i)
        tierWeights[i] = kTiers[i].share;
    c.tier = rng.weighted(tierWeights);
    const TierDef &tier = kTiers[c.tier];
    c.employees = std::max(3, int(std::lround(rng.logNormal(tier.employeesMedian, 0.6))));

    // Contract term by tier: small accounts often pay monthly, large ones sign multi-year deals.
    static constexpr double termWeights[4][3] = { { 0, 40, 60 }, { 0, 60, 40 }, { 10, 75, 15 }, { 40, 55, 5 } };
    const int termChoice = rng.weighted(termWeights[c.tier]);
    c.term = termChoice == 0 ? Term::Monthly : termChoice == 1 ? Term::Annual : Term::MultiYear;
    c.termMonths = c.term == Term::Monthly ? 1 : c.term == Term::Annual ? 12 : (rng.chance(0.5) ? 24 : 36);

    // Dates. Churned accounts leave late enough in the history that the months before their churn are visible.
    const bool churned = fate == Fate::Churned || fate == Fate::SilentChurn;
    if (fate == Fate::Trial) {
        c.term = Term::Monthly;
        c.termMonths = 1;
        c.since = m_today - rng.uniformInt(3, 30);
    } else if (churned) {
        const int earliest = m_historyStart + std::min(150, history / 2);
        const int target = rng.uniformInt(std::min(earliest, m_today - 7), m_today - 7);
        if (c.term == Term::Monthly) {
            c.since = target - rng.uniformInt(180, 4 * 365);
            c.churnDay = target;
        } else {
            // Annual and multi-year accounts leave at a renewal: pick the anniversary that lands on the target.
            const int maxTerms = std::max(1, 48 / c.termMonths);
            const int terms = rng.uniformInt(1, maxTerms);
            c.since = addMonths(target, -c.termMonths * terms);
            // Month-end clamping can only move the anniversary earlier, never past the target.
            c.churnDay = addMonths(c.since, c.termMonths * terms);
        }
    } else {
        const bool newInHistory = fate == Fate::Healthy && rng.chance(0.3);
        if (newInHistory)
            c.since = m_today - rng.uniformInt(7, std::max(7, history - 1));
        else
            c.since = m_today - rng.uniformInt(history + 1, 6 * 365);
    }
    c.end = c.churnDay >= 0 ? c.churnDay : m_today;

    // Behaviour.
    switch (fate) {
    case Fate::Healthy:
    case Fate::Trial:
        c.growth = std::clamp(rng.normal(0.15, 0.15), 0.0, 0.6); // healthy accounts grow or stay flat
        c.engagement = rng.logNormal(1.0, 0.35);
        c.sentiment = std::clamp(rng.normal(0.8, 0.08), 0.55, 0.98);
        c.utilisation = rng.uniform(0.65, 1.1);
        c.ticketPropensity = rng.logNormal(1.0, 0.35);
        break;
    case Fate::AtRisk:
        c.growth = rng.normal(0.0, 0.08);
        c.engagement = rng.logNormal(0.85, 0.35);
        c.sentiment = std::clamp(rng.normal(0.72, 0.08), 0.5, 0.9);
        c.utilisation = rng.uniform(0.35, 0.7);
        c.ticketPropensity = rng.logNormal(1.2, 0.35);
        c.declineEnd = m_today;
        c.declineStart = m_today - rng.uniformInt(45, 110);
        c.declineDepth = rng.uniform(0.3, 0.55);
        c.spikeStart = m_today - rng.uniformInt(40, 80);
        c.spikeEnd = m_today - 1;
        break;
    case Fate::Recovering: {
        c.growth = rng.normal(0.04, 0.08);
        c.engagement = rng.logNormal(0.95, 0.35);
        c.sentiment = std::clamp(rng.normal(0.74, 0.08), 0.5, 0.92);
        c.utilisation = rng.uniform(0.55, 0.9);
        c.ticketPropensity = rng.logNormal(1.1, 0.35);
        const int length = rng.uniformInt(60, 100);
        const int first = std::max(c.since + 60, m_historyStart + 20);
        const int last = m_today - 45 - length;
        if (last > first) {
            c.dipStart = rng.uniformInt(first, last);
            c.dipEnd = c.dipStart + length;
            c.spikeStart = c.dipStart + length / 4;
            c.spikeEnd = c.dipEnd - length / 4;
        }
        break;
    }
    case Fate::Churned:
        c.growth = rng.normal(0.0, 0.08);
        c.engagement = rng.logNormal(0.85, 0.35);
        c.sentiment = std::clamp(rng.normal(0.68, 0.1), 0.45, 0.9);
        c.utilisation = rng.uniform(0.25, 0.6);
        c.ticketPropensity = rng.logNormal(1.2, 0.35);
        c.declineEnd = c.churnDay;
        c.declineStart = c.churnDay - std::min(rng.uniformInt(60, 120), std::max(30, c.churnDay - m_historyStart - 20));
        c.declineDepth = rng.uniform(0.05, 0.25);
        c.spikeStart = std::max(m_historyStart, c.churnDay - rng.uniformInt(70, 110));
        c.spikeEnd = c.churnDay - 5;
        break;
    case Fate::SilentChurn:
        c.growth = std::clamp(rng.normal(0.05, 0.12), -0.1, 0.4);
        c.engagement = rng.logNormal(1.0, 0.35);
        c.sentiment = std::clamp(rng.normal(0.72, 0.08), 0.55, 0.92);
        c.utilisation = rng.uniform(0.6, 0.95);
        c.ticketPropensity = rng.logNormal(1.0, 0.35);
        break;
    }

    // Seats and users: ARR buys seats at the tier's price; active users fill a share of them.
    c.arr = roundArr(rng.logNormal(tier.arrMedian, tier.arrSigma));
    const int seats = std::max(1, int(std::lround(c.arr / tier.seatPrice)));
    c.users = std::max(1, int(std::lround(seats * c.utilisation)));

    // Feature breadth: core features for everyone, the rest by tier, engagement and (for premium) tier.
    for (int f = 0; f < kFeatureCount; ++f) {
        const FeatureDef &def = kFeatures[f];
        double p;
        if (def.core)
            p = 1.0;
        else if (def.premium)
            p = tier.premiumAdoption;
        else
            p = std::clamp(0.3 + 0.1 * (3 - c.tier) + 0.2 * (c.engagement - 1.0), 0.1, 0.9);
        if (churned || fate == Fate::AtRisk)
            p *= def.core ? 1.0 : 0.7;
        if (rng.chance(p))
            c.features |= 1u << f;
    }

    c.contactCount = rng.uniformInt(tier.contactsMin, tier.contactsMax);

    // Owner: strategic and enterprise accounts go to the first third of the team (the enterprise CSMs).
    const int team = int(m_csms.size());
    const int enterpriseCsms = std::max(1, team / 3);
    if (c.tier <= Enterprise)
        c.owner = m_csms.at(rng.uniformInt(0, enterpriseCsms - 1));
    else
        c.owner = m_csms.at(rng.uniformInt(std::min(enterpriseCsms, team - 1), team - 1));
}

double Generator::declineProgress(const CustomerPlan &c, int day) const
{
    if (c.declineStart < 0 || day < c.declineStart)
        return 0;
    return std::min(1.0, double(day - c.declineStart) / double(std::max(1, c.declineEnd - c.declineStart)));
}

// Usage multiplier from the customer's story on `day`: onboarding ramp, decline before churn, mid-history dip.
double Generator::healthFactor(const CustomerPlan &c, int day) const
{
    double f = 1.0;
    const int age = day - c.since;
    if (age < 45)
        f *= 0.3 + 0.7 * double(std::max(0, age)) / 45.0;
    // Front-loaded: accounts that are leaving drop off quickly once they have decided, then trickle.
    if (c.declineStart >= 0 && day >= c.declineStart)
        f *= 1.0 - (1.0 - c.declineDepth) * std::pow(declineProgress(c, day), 0.6);
    if (c.dipStart >= 0 && day >= c.dipStart && day < c.dipEnd) {
        const double half = (c.dipEnd - c.dipStart) / 2.0;
        const double depth = 1.0 - std::abs(day - (c.dipStart + half)) / half;
        f *= 1.0 - 0.55 * depth;
    }
    return f;
}

double Generator::sentimentAt(const CustomerPlan &c, int day) const
{
    double s = c.sentiment;
    if (c.declineStart >= 0 && day >= c.declineStart - 20) {
        // Satisfaction sours a little before usage visibly drops.
        const double p
            = std::min(1.0, double(day - (c.declineStart - 20)) / double(std::max(1, c.declineEnd - c.declineStart)));
        s -= (s - 0.2) * p;
    }
    if (c.dipStart >= 0 && day >= c.dipStart && day < c.dipEnd + 20)
        s -= 0.35;
    return std::clamp(s, 0.0, 1.0);
}

void Generator::planRevenue(CustomerPlan &c)
{
    Rng rng(m_seed, Stream::Revenue, quint64(c.index));
    const TierDef &tier = kTiers[c.tier];
    if (c.fate == Fate::Trial) {
        c.arr = 0;
        return;
    }
    const bool churned = c.churnDay >= 0;

    struct Event
    {
        int day;
        int order; // same-day tie break: renewals before expansions
        RenewalPlan *renewal;
        OpportunityPlan *opportunity;
        bool monthlyChurn;
    };

    // Renewals at the anniversaries inside the history, then the next one ahead.
    c.renewals.clear();
    int upcomingDay = -1;
    if (c.term != Term::Monthly) {
        for (int k = 1; k < 100; ++k) {
            const int day = addMonths(c.since, c.termMonths * k);
            if (churned && day > c.churnDay)
                break;
            if (!churned && day >= m_today) {
                upcomingDay = day;
                break;
            }
            if (day < m_historyStart)
                continue;
            RenewalPlan r;
            r.day = day;
            if (churned && day == c.churnDay) {
                r.outcome = Outcome::Churned;
                r.factor = 0;
            } else {
                double w[3]; // renewed, expanded, downgraded
                switch (c.fate) {
                case Fate::Healthy:
                    w[0] = 0.6, w[1] = 0.3, w[2] = 0.1;
                    break;
                case Fate::AtRisk:
                    w[0] = 0.75, w[1] = 0.1, w[2] = 0.15;
                    break;
                case Fate::Recovering:
                    w[0] = 0.55, w[1] = 0.0, w[2] = 0.45;
                    break;
                default:
                    w[0] = 0.7, w[1] = 0.0, w[2] = 0.3;
                    break;
                }
                const int pickOutcome = rng.weighted(w);
                r.outcome = pickOutcome == 0 ? Outcome::Renewed
                    : pickOutcome == 1       ? Outcome::Expanded
                                             : Outcome::Downgraded;
                r.factor = r.outcome == Outcome::Renewed ? 1.0
                    : r.outcome == Outcome::Expanded     ? rng.uniform(1.1, 1.4)
                                                         : rng.uniform(0.72, 0.92);
            }
            r.closedDay = std::max(c.since, day - rng.uniformInt(0, 25));
            r.probability = r.outcome == Outcome::Churned ? 0.0 : 1.0;
            r.checkpoint180 = true;
            r.checkpoint90 = true;
            c.renewals.push_back(r);
        }
    }

    // Won and lost expansion deals inside the history.
    c.opportunities.clear();
    const int dealFirst = std::max(m_historyStart, c.since + 90);
    const int dealLast = std::min(m_today, c.end) - 14;
    const bool canExpand = c.fate == Fate::Healthy || c.fate == Fate::Recovering || c.fate == Fate::SilentChurn;
    if (dealLast > dealFirst && canExpand && rng.chance(c.growth > 0.15 ? 0.45 : 0.2)) {
        OpportunityPlan o;
        o.closedDay = rng.uniformInt(dealFirst, dealLast);
        o.createdDay = o.closedDay - rng.uniformInt(20, 70);
        o.stage = u"won"_s;
        o.factor = rng.uniform(1.08, 1.3);
        if (rng.chance(0.6)) {
            o.kind = u"upsell"_s;
            o.product = u"seats"_s;
            o.title = u"Additional seats"_s;
        } else {
            int premium = -1;
            for (int f = 0; f < kFeatureCount && premium < 0; ++f) {
                if (kFeatures[f].premium && !(c.features & (1u << f)))
                    premium = f;
            }
            if (premium < 0) {
                o.kind = u"expansion"_s;
                o.product = u"new_team"_s;
                o.title = u"Rollout to another department"_s;
            } else {
                o.kind = u"cross_sell"_s;
                o.product = latin(kFeatures[premium].key);
                o.title = u"Cross-sell "_s + latin(kFeatures[premium].name);
                c.features |= 1u << premium;
            }
        }
        o.score = std::round(rng.uniform(60, 95));
        c.opportunities.push_back(o);
    }
    if (dealLast > dealFirst && rng.chance(0.15)) {
        OpportunityPlan o;
        o.closedDay = rng.uniformInt(dealFirst, dealLast);
        o.createdDay = o.closedDay - rng.uniformInt(20, 90);
        o.stage = u"lost"_s;
        o.kind = u"upsell"_s;
        o.product = u"seats"_s;
        o.title = u"Additional seats"_s;
        o.lostReason = latin(rng.pick(kLostReasons));
        o.score = std::round(rng.uniform(30, 70));
        c.opportunities.push_back(o);
    }

    // Apply everything in date order, so each change starts from the ARR in effect on that day.
    std::vector<Event> events;
    for (RenewalPlan &r : c.renewals)
        events.push_back({ r.day, 0, &r, nullptr, false });
    for (OpportunityPlan &o : c.opportunities)
        events.push_back({ o.closedDay, 1, nullptr, &o, false });
    if (churned && c.term == Term::Monthly)
        events.push_back({ c.churnDay, 2, nullptr, nullptr, true });
    std::stable_sort(events.begin(), events.end(),
        [](const Event &a, const Event &b) { return a.day != b.day ? a.day < b.day : a.order < b.order; });

    double arr = c.arr; // the ARR at max(since, history start): what the 'new' movement carries
    c.arrChanges.clear();
    c.arrChanges.push_back({ c.since, u"new"_s, 0, arr, u"New customer"_s, u"contracts"_s, 0 });
    for (const Event &e : events) {
        if (e.renewal) {
            RenewalPlan &r = *e.renewal;
            r.arrBefore = arr;
            r.arrAfter = roundArr(arr * r.factor);
            r.proposed = r.arrAfter;
            if (r.arrAfter > arr)
                c.arrChanges.push_back(
                    { r.day, u"expansion"_s, arr, r.arrAfter, u"Renewed with expansion"_s, u"renewals"_s, 0 });
            else if (r.arrAfter < arr)
                c.arrChanges.push_back({ r.day, r.outcome == Outcome::Churned ? u"churn"_s : u"contraction"_s, arr,
                    r.arrAfter, r.outcome == Outcome::Churned ? u"Did not renew"_s : u"Renewed with fewer seats"_s,
                    u"renewals"_s, 0 });
            if (r.outcome != Outcome::Churned)
                arr = r.arrAfter;
        } else if (e.opportunity) {
            OpportunityPlan &o = *e.opportunity;
            o.estimated = roundArr(arr * (o.stage == u"won"_s ? o.factor - 1.0 : rng.uniform(0.1, 0.25)));
            if (o.stage == u"won"_s) {
                o.won = o.estimated;
                c.arrChanges.push_back(
                    { o.closedDay, u"expansion"_s, arr, arr + o.won, o.title, u"expansion_opportunities"_s, 0 });
                arr += o.won;
            }
        } else if (e.monthlyChurn) {
            c.arrChanges.push_back(
                { c.churnDay, u"churn"_s, arr, 0, u"Cancelled monthly subscription"_s, u"contracts"_s, 0 });
        }
    }
    // Churned accounts keep the ARR they had when they left (what was lost); the movement ledger ends at 0.
    c.arr = arr;

    // Contracts: every term that overlaps the history, and the current one.
    c.contracts.clear();
    auto arrAt = [&](int day) {
        double value = 0;
        for (const ArrChange &m : c.arrChanges) {
            if (m.day > day)
                break;
            if (m.kind != u"churn"_s)
                value = m.after;
        }
        return value;
    };
    if (c.term == Term::Monthly) {
        ContractPlan k;
        k.number = 1;
        k.start = c.since;
        if (churned) {
            k.end = c.churnDay;
        } else {
            int months = 1;
            while (addMonths(c.since, months) <= m_today)
                ++months;
            k.end = addMonths(c.since, months);
        }
        if (k.end <= k.start)
            k.end = k.start + 1;
        k.arr = c.arr;
        k.status = churned ? u"cancelled"_s : u"active"_s;
        k.autoRenew = true;
        c.contracts.push_back(k);
    } else {
        for (int term = 0; term < 100; ++term) {
            const int start = addMonths(c.since, c.termMonths * term);
            const int end = addMonths(c.since, c.termMonths * (term + 1));
            if (churned && start >= c.churnDay)
                break;
            if (!churned && start > m_today)
                break;
            if (end <= m_historyStart)
                continue;
            ContractPlan k;
            k.number = term + 1;
            k.start = start;
            k.end = end;
            k.arr = arrAt(std::min(end, m_today) - 1);
            const bool current = !churned && start <= m_today && end > m_today;
            k.status = current ? u"active"_s : u"expired"_s;
            k.autoRenew = c.tier >= MidMarket && rng.chance(0.5);
            c.contracts.push_back(k);
            if (current)
                break;
        }
    }
    for (std::size_t i = 0; i < c.contracts.size(); ++i) {
        ContractPlan &k = c.contracts[i];
        k.id = m_nextContractId++;
        const bool last = i + 1 == c.contracts.size();
        k.seatsPurchased = std::max(1, int(std::lround(k.arr / tier.seatPrice)));
        const double utilisation = last ? c.utilisation : std::clamp(c.utilisation + rng.normal(0.1, 0.08), 0.3, 1.1);
        k.seatsUsed = std::max(0, int(std::lround(k.seatsPurchased * utilisation)));
        if (last && (c.fate == Fate::Churned || c.fate == Fate::AtRisk)) {
            const double p = rng.uniform();
            k.payment = p < 0.25 ? u"late"_s : p < 0.35 ? u"overdue"_s : u"current"_s;
        } else {
            k.payment = u"current"_s;
        }
    }
    c.users = std::max(1, c.contracts.back().seatsUsed);
    c.arrChanges.front().sourceId = c.contracts.front().id;
    if (churned && c.term == Term::Monthly)
        c.arrChanges.back().sourceId = c.contracts.back().id;

    // Ids, contract links and movement sources.
    for (RenewalPlan &r : c.renewals) {
        r.id = m_nextRenewalId++;
        for (const ContractPlan &k : c.contracts) {
            if (k.end == r.day)
                r.contractId = k.id;
        }
    }
    for (ArrChange &m : c.arrChanges) {
        if (m.sourceTable == u"renewals"_s) {
            for (const RenewalPlan &r : c.renewals) {
                if (r.day == m.day)
                    m.sourceId = r.id;
            }
        }
    }

    // The renewal ahead (within a year), with its pipeline stage.
    if (!churned && upcomingDay >= 0 && upcomingDay <= m_today + 365) {
        RenewalPlan r;
        r.id = m_nextRenewalId++;
        r.contractId = c.contracts.back().id;
        r.day = upcomingDay;
        r.arrBefore = c.arr;
        const int daysTo = upcomingDay - m_today;
        if (daysTo <= 180) {
            switch (c.fate) {
            case Fate::AtRisk:
                r.probability = rng.uniform(0.25, 0.55);
                break;
            case Fate::Recovering:
                r.probability = rng.uniform(0.6, 0.85);
                break;
            default:
                r.probability = rng.uniform(0.8, 0.97);
                break;
            }
            r.probability = std::round(r.probability * 100) / 100;
        }
        r.checkpoint180 = daysTo <= 180 && rng.chance(0.9);
        r.checkpoint90 = daysTo <= 90 && rng.chance(c.fate == Fate::AtRisk ? 0.6 : 0.85);
        if (daysTo <= 45 && c.fate != Fate::AtRisk && rng.chance(0.7))
            r.proposed = roundArr(c.arr * rng.uniform(1.0, 1.15));
        c.renewals.push_back(r);
    }
    for (OpportunityPlan &o : c.opportunities) {
        o.id = m_nextOpportunityId++;
        for (ArrChange &m : c.arrChanges) {
            if (m.sourceTable == u"expansion_opportunities"_s && m.day == o.closedDay && o.stage == u"won"_s)
                m.sourceId = o.id;
        }
    }

    // Open opportunities for healthy accounts that use what they bought.
    if (!churned && (c.fate == Fate::Healthy || c.fate == Fate::Recovering)) {
        const auto open = [&](const QString &kind, const QString &product, const QString &title, double share,
                              const QString &evidence) {
            OpportunityPlan o;
            o.id = m_nextOpportunityId++;
            o.kind = kind;
            o.product = product;
            o.title = title;
            o.createdDay = m_today - rng.uniformInt(3, 75);
            const double stage = rng.uniform();
            o.stage = stage < 0.5 ? u"identified"_s : stage < 0.8 ? u"qualified"_s : u"proposed"_s;
            o.estimated = roundArr(c.arr * share);
            o.score = std::round(rng.uniform(55, 95));
            o.evidence = evidence;
            c.opportunities.push_back(o);
        };
        if (c.utilisation >= 0.9 && rng.chance(0.6)) {
            const double u = std::round(c.utilisation * 100) / 100;
            open(u"upsell"_s, u"seats"_s, u"Additional seats"_s, rng.uniform(0.1, 0.3),
                u"["_s + JsonObject().add(u"signal", u"seat_utilisation"_s).add(u"value", u).text() + u"]"_s);
        }
        if (c.tier <= MidMarket && rng.chance(0.25)) {
            for (int f = 0; f < kFeatureCount; ++f) {
                if (kFeatures[f].premium && !(c.features & (1u << f))) {
                    open(u"cross_sell"_s, latin(kFeatures[f].key), u"Cross-sell "_s + latin(kFeatures[f].name),
                        rng.uniform(0.08, 0.2),
                        u"["_s
                            + JsonObject()
                                  .add(u"signal", u"feature_not_adopted"_s)
                                  .add(u"value", latin(kFeatures[f].key))
                                  .text()
                            + u"]"_s);
                    break;
                }
            }
        }
        if (c.growth > 0.3 && rng.chance(0.4))
            open(u"expansion"_s, u"new_team"_s, u"Rollout to another department"_s, rng.uniform(0.2, 0.5),
                u"["_s
                    + JsonObject()
                          .add(u"signal", u"usage_growth"_s)
                          .add(u"value", std::round(c.growth * 100) / 100)
                          .text()
                    + u"]"_s);
    }
}

void Generator::planOnboarding(CustomerPlan &c)
{
    Rng rng(m_seed, Stream::Onboarding, quint64(c.index), 1);
    const bool recent = c.since >= m_historyStart;
    if (!recent && c.fate != Fate::Trial)
        return;
    c.templateIndex = c.fate == Fate::Trial ? kTrialTemplate : c.tier;
    const TemplateDef &def = kTemplates[c.templateIndex];
    double slow = 1.0;
    if (c.fate == Fate::Churned || c.fate == Fate::AtRisk)
        slow = 1.3;
    else if (c.fate == Fate::Recovering)
        slow = 1.15;
    c.ttvActual = std::max(1, int(std::lround(def.targetTtvDays * slow * rng.logNormal(1.0, 0.25))));
    c.planId = m_nextPlanId++;
    const int done = c.since + c.ttvActual;
    if (done < m_today && (c.churnDay < 0 || done < c.churnDay)) {
        c.planStatus = u"completed"_s;
    } else if (c.churnDay >= 0) {
        c.planStatus = u"cancelled"_s;
        c.stallAfter = rng.uniformInt(1, milestoneCount(def) - 1);
    } else if (c.since >= m_today - 2) {
        c.planStatus = u"not_started"_s;
        c.stallAfter = 0;
    } else if (rng.chance(0.12)) {
        c.planStatus = u"stalled"_s;
        c.stallAfter = rng.uniformInt(1, std::max(1, milestoneCount(def) - 1));
    } else {
        c.planStatus = u"in_progress"_s;
    }
}

void Generator::planLifecycle(CustomerPlan &c)
{
    if (c.fate == Fate::Trial) {
        c.status = u"trial"_s;
        c.lifecycle = u"onboarding"_s;
        return;
    }
    if (c.churnDay >= 0) {
        c.status = u"churned"_s;
        c.lifecycle = u"churned"_s;
        return;
    }
    c.status = u"active"_s;
    bool openOpportunity = false; // one that sales is working on, not merely spotted
    for (const OpportunityPlan &o : c.opportunities)
        openOpportunity = openOpportunity || (o.closedDay < 0 && o.stage != u"identified"_s);
    int renewalIn = 9999;
    for (const RenewalPlan &r : c.renewals) {
        if (r.outcome == Outcome::Upcoming)
            renewalIn = r.day - m_today;
    }
    if (c.fate == Fate::AtRisk)
        c.lifecycle = u"at_risk"_s;
    else if (c.planStatus == u"in_progress"_s || c.planStatus == u"not_started"_s || c.planStatus == u"stalled"_s)
        c.lifecycle = u"onboarding"_s;
    else if (renewalIn <= 90)
        c.lifecycle = u"renewal"_s;
    else if (openOpportunity)
        c.lifecycle = u"expansion"_s;
    else if (m_today - c.since > 730 && c.sentiment > 0.8)
        c.lifecycle = u"advocacy"_s;
    else
        c.lifecycle = u"adoption"_s;
}

void Generator::planUsageBudget()
{
    // Sessions per day scale with active users (sub-linearly: big accounts have many light users) and the
    // customer's engagement; the portfolio-wide factor is chosen so that the expected number of events
    // equals the budget.
    constexpr double meanBurst = 2.5;
    double expected = 0;
    std::vector<double> shape(m_customers.size());
    for (std::size_t i = 0; i < m_customers.size(); ++i) {
        const CustomerPlan &c = m_customers[i];
        const int first = std::max(c.since, m_historyStart);
        double sum = 0;
        double growth = std::exp(c.growth * (first - m_historyStart) / 365.0);
        const double dailyGrowth = std::exp(c.growth / 365.0);
        for (int d = first; d < c.end; ++d) {
            sum += kWeekdayFactor[weekday(d)] * growth * healthFactor(c, d);
            growth *= dailyGrowth;
        }
        shape[i] = std::pow(double(c.users), 0.7) * c.engagement;
        expected += shape[i] * sum;
    }
    const double k = expected > 0 ? double(m_eventBudget) / (expected * meanBurst) : 0;
    for (std::size_t i = 0; i < m_customers.size(); ++i)
        m_customers[i].sessionsPerDay = k * shape[i];
}

void Generator::planPortfolio()
{
    const int n = m_options.customers;
    m_customers.resize(std::size_t(n));

    // A CS team that grows with the portfolio: 8 CSMs up to 100 accounts, 25 from 100,000.
    {
        Rng rng(m_seed, Stream::Team);
        const double scale = std::clamp(std::log10(std::max(1.0, n / 100.0)) / 3.0, 0.0, 1.0);
        const int team = int(std::lround(8 + 17 * scale));
        QSet<QString> taken;
        while (m_csms.size() < team) {
            const QString first = latin(rng.pick(kFirstNames));
            const QString last = latin(rng.pick(kLastNames));
            const QString email = first.toLower() + u'.' + last.toLower() + u"@csdesk.example"_s;
            if (taken.contains(email))
                continue;
            taken.insert(email);
            m_csms << email;
        }
    }

    // Fates by quota (not coin flips), so that even a small portfolio has its churners and near misses.
    std::vector<Fate> fates(std::size_t(n), Fate::Healthy);
    {
        std::vector<int> order(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i)
            order[std::size_t(i)] = i;
        Rng rng(m_seed, Stream::Shuffle);
        for (int i = n - 1; i > 0; --i)
            std::swap(order[std::size_t(i)], order[std::size_t(rng.uniformInt(0, i))]);
        const int churned = n >= 10 ? std::max(1, int(std::lround(n * 0.11))) : n / 9;
        const int silent = int(std::lround(churned * 0.15));
        const int atRisk = n >= 10 ? std::max(1, int(std::lround(n * 0.07))) : 0;
        const int recovering = int(std::lround(n * 0.04));
        const int trials = int(std::lround(n * 0.02));
        int next = 0;
        const auto assign = [&](int count, Fate fate) {
            for (int i = 0; i < count && next < n; ++i)
                fates[std::size_t(order[std::size_t(next++)])] = fate;
        };
        assign(churned - silent, Fate::Churned);
        assign(silent, Fate::SilentChurn);
        assign(atRisk, Fate::AtRisk);
        assign(recovering, Fate::Recovering);
        assign(trials, Fate::Trial);
    }

    QSet<QString> names;
    QHash<QString, int> domains;
    names.reserve(n);
    const int digits = std::max(5, int(QString::number(n).size()));
    for (int i = 0; i < n; ++i) {
        CustomerPlan &c = m_customers[std::size_t(i)];
        c.index = i;
        planIdentity(c, names, domains, digits);
        planStory(c, fates[std::size_t(i)]);
    }

    // Rows are written in id order (see the top of this file); ids of child rows follow the same order.
    m_order.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
        m_order[std::size_t(i)] = i;
    std::sort(m_order.begin(), m_order.end(),
        [this](int a, int b) { return m_customers[std::size_t(a)].id < m_customers[std::size_t(b)].id; });
    for (int i : m_order) {
        CustomerPlan &c = m_customers[std::size_t(i)];
        c.contactBase = m_nextContactId;
        m_nextContactId += c.contactCount;
        planRevenue(c);
        planOnboarding(c);
        planLifecycle(c);
    }
    planUsageBudget();

    m_dayText.resize(std::size_t(m_today - m_historyStart + 1));
    for (int d = m_historyStart; d <= m_today; ++d)
        m_dayText[std::size_t(d - m_historyStart)] = formatDate(d);
}

std::vector<ContactInfo> Generator::contactsOf(const CustomerPlan &c) const
{
    Rng rng(m_seed, Stream::Contacts, quint64(c.index));
    std::vector<ContactInfo> contacts;
    // The primary contact is the champion or the decision maker; the others fill the usual buying group.
    static constexpr int others[]
        = { ExecutiveSponsor, Admin, Technical, Billing, EndUser, EconomicBuyer, EndUser, EndUser };
    QSet<QString> emails;
    for (int i = 0; i < c.contactCount; ++i) {
        const int role = i == 0 ? (rng.chance(0.7) ? Champion : DecisionMaker) : others[(i - 1) % 8];
        ContactInfo info;
        const QString first = latin(rng.pick(kFirstNames));
        const QString last = latin(rng.pick(kLastNames));
        info.name = first + u' ' + last;
        QString local = first.toLower() + u'.' + last.toLower();
        for (int k = 2; emails.contains(local); ++k)
            local = first.toLower() + u'.' + last.toLower() + QString::number(k);
        emails.insert(local);
        info.email = local + u'@' + c.domain;
        info.role = latin(kRoles[role].role);
        info.title = latin(kRoles[role].titles[rng.uniformInt(0, 2)]);
        switch (c.region) {
        case 0: // NANP 555-0100..0199 is reserved for fiction
            info.phone = u"+1 555-01"_s + QString::number(rng.uniformInt(0, 99)).rightJustified(2, u'0');
            break;
        case 1: // Ofcom's drama range 020 7946 0000..0999
            info.phone = u"+44 20 7946 0"_s + QString::number(rng.uniformInt(0, 999)).rightJustified(3, u'0');
            break;
        default: // ACMA's fictitious range 02 5550 xxxx
            info.phone = u"+61 2 5550 "_s + QString::number(rng.uniformInt(0, 9999)).rightJustified(4, u'0');
            break;
        }
        contacts.push_back(info);
    }
    return contacts;
}

std::vector<MilestoneState> Generator::milestonesOf(const CustomerPlan &c) const
{
    std::vector<MilestoneState> out;
    if (c.templateIndex < 0)
        return out;
    Rng rng(m_seed, Stream::Onboarding, quint64(c.index), 2);
    const TemplateDef &def = kTemplates[c.templateIndex];
    const int count = milestoneCount(def);
    const double pace = double(c.ttvActual) / def.targetTtvDays;
    const int limit = c.churnDay >= 0 ? std::min(c.churnDay, m_today) : m_today;
    int previous = c.since;
    for (int m = 0; m < count; ++m) {
        MilestoneState s;
        s.position = m;
        s.due = c.since + def.milestones[m].offsetDays;
        int finish = m + 1 == count
            ? c.since + c.ttvActual
            : c.since + int(std::lround(def.milestones[m].offsetDays * pace * rng.uniform(0.85, 1.1)));
        finish = std::max(std::min(finish, c.since + c.ttvActual), previous);
        const bool blocked = m >= c.stallAfter;
        if (!blocked && finish < limit) {
            s.status = u"completed"_s;
            s.startedDay = previous;
            s.completedDay = finish;
        } else if (!blocked && previous < limit && (m == 0 || out.back().status == u"completed"_s)) {
            s.status = u"in_progress"_s;
            s.startedDay = previous;
        } else if (m == c.stallAfter && previous < limit && c.planStatus == u"stalled"_s) {
            s.status = u"in_progress"_s; // where it got stuck
            s.startedDay = previous;
        } else {
            s.status = u"pending"_s;
        }
        previous = finish;
        out.push_back(s);
    }
    return out;
}

QString Generator::featureNameFor(const CustomerPlan &c, Rng &rng) const
{
    int adopted[kFeatureCount];
    int n = 0;
    for (int f = 0; f < kFeatureCount; ++f) {
        if (c.features & (1u << f))
            adopted[n++] = f;
    }
    return latin(kFeatures[n > 0 ? adopted[rng.uniformInt(0, n - 1)] : 0].name);
}

// A moment in the customer's working day, as UTC milliseconds.
qint64 Generator::businessTime(const CustomerPlan &c, int day, Rng &rng) const
{
    const int localMinute = rng.uniformInt(8 * 60, 18 * 60 - 1);
    return qint64(day) * kMsPerDay + qint64(localMinute - kRegions[c.region].utcOffsetMinutes) * kMsPerMinute
        + rng.uniformInt(0, 59'999);
}

Status Generator::addTimeline(Table &t, const CustomerPlan &c, qint64 ms, const QString &kind, const QString &title,
    const QString &detail, const QString &sourceTable, const QString &sourceId, const QString &actor)
{
    const QString at = formatTimestamp(clampPast(ms));
    QVariantList &row = t.row;
    row[0] = c.id;
    row[1] = at;
    row[2] = kind;
    row[3] = title.left(500);
    row[4] = detail;
    row[5] = sourceTable.isEmpty() ? nullText() : QVariant(sourceTable);
    row[6] = sourceId.isEmpty() ? nullText() : QVariant(sourceId);
    row[7] = actor.isEmpty() ? nullText() : QVariant(actor);
    row[8] = at;
    row[9] = at;
    return m_writer.add(t);
}

const QStringList kTimelineColumns = { u"customer_id"_s, u"occurred_at"_s, u"kind"_s, u"title"_s, u"detail"_s,
    u"source_table"_s, u"source_id"_s, u"actor"_s, u"created_at"_s, u"updated_at"_s };

// ------------------------------------------------------------------------------------------------------------
// Passes

Status Generator::writeCustomers()
{
    m_progress.begin(u"customers"_s, qint64(m_customers.size()));
    Table customers(m_db, u"customers"_s,
        { u"id"_s, u"name"_s, u"company"_s, u"domain"_s, u"industry"_s, u"tier"_s, u"status"_s, u"lifecycle_stage"_s,
            u"owner"_s, u"arr"_s, u"currency"_s, u"contract_type"_s, u"contract_start"_s, u"contract_end"_s,
            u"renewal_date"_s, u"churned_at"_s, u"custom_fields"_s, u"created_at"_s, u"updated_at"_s });
    m_writer.attach({ &customers });
    const QString now = formatTimestamp(m_nowMs);
    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        QVariantList &row = customers.row;
        row[0] = c.id;
        row[1] = c.name;
        row[2] = c.name;
        row[3] = c.domain;
        row[4] = latin(kIndustries[c.industry].name);
        row[5] = latin(kTiers[c.tier].name);
        row[6] = c.status;
        row[7] = c.lifecycle;
        row[8] = c.owner;
        row[9] = c.arr;
        row[10] = u"USD"_s;
        if (c.contracts.empty()) {
            row[11] = nullText();
            row[12] = nullText();
            row[13] = nullText();
            row[14] = nullText();
        } else {
            const ContractPlan &k = c.contracts.back();
            row[11] = c.term == Term::Monthly ? u"monthly"_s : c.term == Term::Annual ? u"annual"_s : u"multi_year"_s;
            row[12] = formatDate(k.start);
            row[13] = formatDate(k.end);
            row[14] = c.churnDay >= 0 ? nullText() : QVariant(formatDate(k.end));
        }
        row[15] = c.churnDay >= 0 ? QVariant(formatDate(c.churnDay)) : nullText();
        row[16]
            = JsonObject().add(u"employees", qint64(c.employees)).add(u"region", latin(kRegions[c.region].name)).text();
        row[17] = formatTimestamp(qint64(c.since) * kMsPerDay + 9 * 3'600'000);
        row[18] = now;
        if (auto ok = m_writer.add(customers); !ok)
            return ok;
        if (c.churnDay >= 0)
            ++m_stats.churnedCustomers;
        m_progress.advance(1);
    }
    m_stats.customers = customers.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeContacts()
{
    m_progress.begin(u"contacts"_s, m_plannedContacts);
    Table contacts(m_db, u"contacts"_s,
        { u"id"_s, u"customer_id"_s, u"name"_s, u"email"_s, u"title"_s, u"role"_s, u"is_primary"_s, u"phone"_s,
            u"created_at"_s, u"updated_at"_s });
    m_writer.attach({ &contacts });
    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        const QString created = formatTimestamp(qint64(c.since) * kMsPerDay + 9 * 3'600'000);
        const auto people = contactsOf(c);
        for (std::size_t k = 0; k < people.size(); ++k) {
            const ContactInfo &p = people[k];
            QVariantList &row = contacts.row;
            row[0] = c.contactBase + qint64(k);
            row[1] = c.id;
            row[2] = p.name;
            row[3] = p.email;
            row[4] = p.title;
            row[5] = p.role;
            row[6] = QVariant(k == 0);
            row[7] = p.phone;
            row[8] = created;
            row[9] = created;
            if (auto ok = m_writer.add(contacts); !ok)
                return ok;
        }
        m_progress.advance(qint64(people.size()));
    }
    m_stats.contacts = contacts.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeContracts()
{
    m_progress.begin(u"contracts"_s, qint64(m_customers.size()));
    Table contracts(m_db, u"contracts"_s,
        { u"id"_s, u"customer_id"_s, u"contract_number"_s, u"start_date"_s, u"end_date"_s, u"arr"_s, u"currency"_s,
            u"seats_purchased"_s, u"seats_used"_s, u"status"_s, u"auto_renew"_s, u"payment_status"_s, u"created_at"_s,
            u"updated_at"_s });
    m_writer.attach({ &contracts });
    const QString now = formatTimestamp(m_nowMs);
    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        for (const ContractPlan &k : c.contracts) {
            QVariantList &row = contracts.row;
            row[0] = k.id;
            row[1] = c.id;
            row[2] = u"CT-%1-%2"_s.arg(c.index + 1, 6, 10, QChar(u'0')).arg(k.number);
            row[3] = formatDate(k.start);
            row[4] = formatDate(k.end);
            row[5] = k.arr;
            row[6] = u"USD"_s;
            row[7] = k.seatsPurchased;
            row[8] = k.seatsUsed;
            row[9] = k.status;
            row[10] = QVariant(k.autoRenew);
            row[11] = k.payment;
            const QString created = formatTimestamp(qint64(k.start - 14) * kMsPerDay + 15 * 3'600'000);
            row[12] = created;
            row[13] = k.status == u"active"_s ? now : formatTimestamp(clampPast(qint64(k.end) * kMsPerDay));
            if (auto ok = m_writer.add(contracts); !ok)
                return ok;
        }
        m_progress.advance(1);
    }
    m_stats.contracts = contracts.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeRevenue()
{
    m_progress.begin(u"renewals and expansions"_s, qint64(m_customers.size()));
    Table renewals(m_db, u"renewals"_s,
        { u"id"_s, u"customer_id"_s, u"contract_id"_s, u"renewal_date"_s, u"arr_current"_s, u"arr_proposed"_s,
            u"probability"_s, u"stage"_s, u"outcome"_s, u"outcome_arr"_s, u"closed_on"_s, u"owner"_s,
            u"checkpoint_180_done"_s, u"checkpoint_90_done"_s, u"created_at"_s, u"updated_at"_s });
    Table opportunities(m_db, u"expansion_opportunities"_s,
        { u"id"_s, u"customer_id"_s, u"kind"_s, u"product"_s, u"title"_s, u"estimated_arr"_s, u"score"_s, u"evidence"_s,
            u"stage"_s, u"owner"_s, u"won_arr"_s, u"lost_reason"_s, u"closed_on"_s, u"created_at"_s, u"updated_at"_s });
    Table movements(m_db, u"arr_movements"_s,
        { u"customer_id"_s, u"movement_date"_s, u"kind"_s, u"amount"_s, u"arr_before"_s, u"arr_after"_s, u"reason"_s,
            u"source_table"_s, u"source_id"_s, u"created_at"_s, u"updated_at"_s });
    Table timeline(m_db, u"timeline_events"_s, kTimelineColumns);
    m_writer.attach({ &renewals, &opportunities, &movements, &timeline });
    const QString now = formatTimestamp(m_nowMs);

    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        for (const RenewalPlan &r : c.renewals) {
            QVariantList &row = renewals.row;
            const int daysTo = r.day - m_today;
            QString stage;
            QString outcome;
            switch (r.outcome) {
            case Outcome::Upcoming:
                if (daysTo > 120)
                    stage = u"upcoming"_s;
                else if (daysTo > 45 || c.fate == Fate::AtRisk || r.proposed < 0)
                    stage = u"in_progress"_s;
                else
                    stage = u"committed"_s;
                break;
            case Outcome::Renewed:
                stage = outcome = u"renewed"_s;
                break;
            case Outcome::Expanded:
                stage = u"renewed"_s;
                outcome = u"expanded"_s;
                break;
            case Outcome::Downgraded:
                stage = outcome = u"downgraded"_s;
                break;
            case Outcome::Churned:
                stage = outcome = u"churned"_s;
                break;
            }
            const bool closed = r.outcome != Outcome::Upcoming;
            row[0] = r.id;
            row[1] = c.id;
            row[2] = r.contractId > 0 ? QVariant(r.contractId) : nullInt();
            row[3] = formatDate(r.day);
            row[4] = r.arrBefore;
            row[5] = r.proposed >= 0 ? QVariant(r.proposed) : nullReal();
            row[6] = r.probability >= 0 ? QVariant(r.probability) : nullReal();
            row[7] = stage;
            row[8] = closed ? QVariant(outcome) : nullText();
            row[9] = closed ? QVariant(r.arrAfter) : nullReal();
            row[10] = closed ? QVariant(formatDate(r.closedDay)) : nullText();
            row[11] = c.owner;
            row[12] = QVariant(r.checkpoint180);
            row[13] = QVariant(r.checkpoint90);
            row[14] = formatTimestamp(qint64(std::max(c.since, r.day - 200)) * kMsPerDay + 8 * 3'600'000);
            row[15] = closed ? formatTimestamp(clampPast(qint64(r.closedDay) * kMsPerDay + 17 * 3'600'000)) : now;
            if (auto ok = m_writer.add(renewals); !ok)
                return ok;
            if (closed) {
                const QString title = r.outcome == Outcome::Churned ? u"Renewal lost: customer did not renew"_s
                                                                    : u"Renewal closed (%1): ARR %2 → %3"_s.arg(outcome)
                                                                          .arg(qint64(r.arrBefore))
                                                                          .arg(qint64(r.arrAfter));
                const QString detail = JsonObject()
                                           .add(u"arr_after", r.arrAfter)
                                           .add(u"arr_before", r.arrBefore)
                                           .add(u"outcome", outcome)
                                           .add(u"renewal_date", formatDate(r.day))
                                           .text();
                if (auto ok = addTimeline(timeline, c, qint64(r.closedDay) * kMsPerDay + 16 * 3'600'000, u"renewal"_s,
                        title, detail, u"renewals"_s, QString::number(r.id), c.owner);
                    !ok)
                    return ok;
            }
        }
        for (const OpportunityPlan &o : c.opportunities) {
            QVariantList &row = opportunities.row;
            const bool closed = o.closedDay >= 0;
            row[0] = o.id;
            row[1] = c.id;
            row[2] = o.kind;
            row[3] = o.product;
            row[4] = o.title;
            row[5] = o.estimated;
            row[6] = o.score >= 0 ? QVariant(o.score) : nullReal();
            row[7] = o.evidence.isEmpty() ? u"[]"_s : o.evidence;
            row[8] = o.stage;
            row[9] = c.owner;
            row[10] = o.won >= 0 ? QVariant(o.won) : nullReal();
            row[11] = o.lostReason.isEmpty() ? nullText() : QVariant(o.lostReason);
            row[12] = closed ? QVariant(formatDate(o.closedDay)) : nullText();
            row[13] = formatTimestamp(qint64(std::max(o.createdDay, c.since)) * kMsPerDay + 10 * 3'600'000);
            row[14] = closed ? formatTimestamp(clampPast(qint64(o.closedDay) * kMsPerDay + 17 * 3'600'000)) : now;
            if (auto ok = m_writer.add(opportunities); !ok)
                return ok;
            if (o.stage == u"won"_s) {
                const QString detail
                    = JsonObject().add(u"kind", o.kind).add(u"product", o.product).add(u"won_arr", o.won).text();
                if (auto ok = addTimeline(timeline, c, qint64(o.closedDay) * kMsPerDay + 15 * 3'600'000, u"expansion"_s,
                        u"Expansion won: "_s + o.title, detail, u"expansion_opportunities"_s, QString::number(o.id),
                        c.owner);
                    !ok)
                    return ok;
            }
        }
        for (const ArrChange &m : c.arrChanges) {
            QVariantList &row = movements.row;
            const QString at = formatTimestamp(clampPast(qint64(m.day) * kMsPerDay + 12 * 3'600'000));
            row[0] = c.id;
            row[1] = formatDate(m.day);
            row[2] = m.kind;
            row[3] = std::abs(m.after - m.before);
            row[4] = m.before;
            row[5] = m.after;
            row[6] = m.reason;
            row[7] = m.sourceTable;
            row[8] = QString::number(m.sourceId);
            row[9] = at;
            row[10] = at;
            if (auto ok = m_writer.add(movements); !ok)
                return ok;
        }
        // The signature and the churn are the two touches every account history starts and ends with.
        if (!c.contracts.empty()) {
            const ContractPlan &first = c.contracts.front();
            const QString detail = JsonObject()
                                       .add(u"arr", c.arrChanges.front().after)
                                       .add(u"contract_type",
                                           c.term == Term::Monthly      ? u"monthly"_s
                                               : c.term == Term::Annual ? u"annual"_s
                                                                        : u"multi_year"_s)
                                       .text();
            if (auto ok = addTimeline(timeline, c, qint64(c.since) * kMsPerDay + 9 * 3'600'000, u"contract"_s,
                    u"Contract signed"_s, detail, u"contracts"_s, QString::number(first.id), c.owner);
                !ok)
                return ok;
        }
        if (c.churnDay >= 0) {
            const QString detail
                = JsonObject().add(u"arr_lost", c.arr).add(u"churned_at", formatDate(c.churnDay)).text();
            if (auto ok = addTimeline(timeline, c, qint64(c.churnDay) * kMsPerDay + 12 * 3'600'000, u"lifecycle"_s,
                    u"Customer churned"_s, detail, u"customers"_s, c.id, c.owner);
                !ok)
                return ok;
        }
        m_progress.advance(1);
    }
    m_stats.renewals = renewals.count;
    m_stats.expansionOpportunities = opportunities.count;
    m_stats.timelineEvents += timeline.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeUsage()
{
    m_progress.begin(u"usage events"_s, m_eventBudget);
    if (m_eventBudget == 0) {
        m_progress.finish();
        return {};
    }
    Table events(m_db, u"usage_events"_s,
        { u"customer_id"_s, u"occurred_at"_s, u"event_type"_s, u"feature"_s, u"user_ref"_s, u"quantity"_s,
            u"created_at"_s, u"updated_at"_s });
    // feature is left to its default '' = all features (the per-customer, per-day total).
    Table daily(m_db, u"usage_daily"_s,
        { u"customer_id"_s, u"day"_s, u"events"_s, u"active_users"_s, u"quantity"_s, u"created_at"_s,
            u"updated_at"_s });
    m_writer.attach({ &events, &daily });

    QString featureKeys[kFeatureCount];
    QString eventTypes[kFeatureCount][2];
    for (int f = 0; f < kFeatureCount; ++f) {
        featureKeys[f] = latin(kFeatures[f].key);
        for (int e = 0; e < 2; ++e)
            eventTypes[f][e] = kFeatures[f].eventTypes[e] ? latin(kFeatures[f].eventTypes[e]) : QString();
    }
    std::vector<QString> dayClose(m_dayText.size()); // usage_daily rows are stamped when the day closes
    for (std::size_t d = 0; d < m_dayText.size(); ++d)
        dayClose[d] = formatTimestamp(qint64(m_historyStart + int(d) + 1) * kMsPerDay);

    struct Event
    {
        qint64 ms;
        int seq;
        int feature;
        int user;
        int type;
        double quantity;
    };
    std::vector<Event> dayEvents;
    std::vector<int> dayUsers;
    std::vector<QString> userRefs;
    const QVariant one(1.0);

    // Quarter by quarter (see the top of the file), customers in id order within each quarter.
    const int months = m_options.monthsOfHistory;
    for (int month = 0; month < months; month += kUsageChunkMonths) {
        const int chunkStart = std::max(m_historyStart, addMonths(m_today, month - months));
        const int chunkEnd
            = month + kUsageChunkMonths >= months ? m_today : addMonths(m_today, month + kUsageChunkMonths - months);
        for (int i : m_order) {
            const CustomerPlan &c = m_customers[std::size_t(i)];
            const int first = std::max(chunkStart, c.since);
            const int last = std::min(chunkEnd, c.end);
            if (first >= last || c.sessionsPerDay <= 0)
                continue;
            Rng rng(m_seed, Stream::Usage, quint64(c.index), quint64(month));
            userRefs.assign(std::size_t(c.users), QString());
            const QVariant customerId(c.id);
            const int tz = kRegions[c.region].utcOffsetMinutes;

            // Feature mix, refreshed weekly: accounts winding down keep their core features longest.
            double weights[kFeatureCount] {}; // filled by refreshWeights() before the first use
            const auto refreshWeights = [&](int day) {
                const double fading = declineProgress(c, day);
                for (int f = 0; f < kFeatureCount; ++f) {
                    weights[f] = (c.features & (1u << f)) ? kFeatures[f].weight : 0.0;
                    if (!kFeatures[f].core)
                        weights[f] *= (1.0 - fading) * (1.0 - fading);
                }
            };
            double growth = std::exp(c.growth * (first - m_historyStart) / 365.0);
            const double dailyGrowth = std::exp(c.growth / 365.0);
            qint64 written = 0;
            for (int day = first; day < last; ++day, growth *= dailyGrowth) {
                if ((day - first) % 7 == 0)
                    refreshWeights(day);
                const double lambda = c.sessionsPerDay * kWeekdayFactor[weekday(day)] * growth * healthFactor(c, day)
                    * rng.uniform(0.6, 1.4);
                const int sessions = rng.poisson(lambda);
                if (sessions == 0)
                    continue;
                dayEvents.clear();
                const qint64 dayMs = qint64(day) * kMsPerDay;
                int seq = 0;
                for (int s = 0; s < sessions; ++s) {
                    // A few heavy users do most of the work.
                    const int user = std::min(c.users - 1, int(c.users * std::pow(rng.uniform(), 1.8)));
                    const double slot = rng.uniform();
                    const int localMinute = slot < 0.75 ? rng.uniformInt(8 * 60, 18 * 60 - 1)
                        : slot < 0.92                   ? rng.uniformInt(18 * 60, 23 * 60)
                                                        : rng.uniformInt(6 * 60, 8 * 60 - 1);
                    qint64 second = qint64(((localMinute - tz) % 1440 + 1440) % 1440) * 60 + rng.uniformInt(0, 59);
                    int feature = rng.weighted(weights);
                    int burst = 1;
                    while (burst < 30 && rng.chance(0.6))
                        ++burst;
                    for (int e = 0; e < burst && second < 86'400; ++e) {
                        if (e > 0 && rng.chance(0.4))
                            feature = rng.weighted(weights);
                        const FeatureDef &def = kFeatures[feature];
                        const int type = def.eventTypes[1] && rng.chance(0.25) ? 1 : 0;
                        double quantity = 1;
                        if (def.quantityKind == 1)
                            quantity = rng.uniformInt(1, 200);
                        else if (def.quantityKind == 2)
                            quantity = rng.uniformInt(50, 5000);
                        dayEvents.push_back(
                            { dayMs + second * 1000 + rng.uniformInt(0, 999), seq++, feature, user, type, quantity });
                        second += rng.uniformInt(5, 240);
                    }
                }
                std::sort(dayEvents.begin(), dayEvents.end(),
                    [](const Event &a, const Event &b) { return a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq; });
                dayUsers.clear();
                double quantity = 0;
                for (const Event &e : dayEvents) {
                    QString &ref = userRefs[std::size_t(e.user)];
                    if (ref.isNull())
                        ref = u"usr-%1-%2"_s.arg(c.index + 1).arg(e.user + 1);
                    const QVariant at(formatTimestamp(e.ms));
                    QVariantList &row = events.row;
                    row[0] = customerId;
                    row[1] = at;
                    row[2] = eventTypes[e.feature][e.type];
                    row[3] = featureKeys[e.feature];
                    row[4] = ref;
                    row[5] = e.quantity == 1 ? one : QVariant(e.quantity);
                    row[6] = at;
                    row[7] = at;
                    if (auto ok = m_writer.add(events); !ok)
                        return ok;
                    dayUsers.push_back(e.user);
                    quantity += e.quantity;
                }
                std::sort(dayUsers.begin(), dayUsers.end());
                const auto distinct = std::unique(dayUsers.begin(), dayUsers.end()) - dayUsers.begin();
                QVariantList &row = daily.row;
                const std::size_t d = std::size_t(day - m_historyStart);
                row[0] = customerId;
                row[1] = m_dayText[d];
                row[2] = qint64(dayEvents.size());
                row[3] = qint64(distinct);
                row[4] = quantity;
                row[5] = dayClose[d];
                row[6] = dayClose[d];
                if (auto ok = m_writer.add(daily); !ok)
                    return ok;
                written += qint64(dayEvents.size());
            }
            m_progress.advance(written);
        }
    }
    m_stats.usageEvents = events.count;
    m_stats.usageDailyRows = daily.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeTickets()
{
    m_progress.begin(u"support tickets"_s, qint64(m_customers.size()));
    Table tickets(m_db, u"support_tickets"_s,
        { u"id"_s, u"customer_id"_s, u"subject"_s, u"description"_s, u"priority"_s, u"status"_s, u"channel"_s,
            u"requester_contact_id"_s, u"assignee"_s, u"assigned_team"_s, u"category"_s, u"tags"_s, u"opened_at"_s,
            u"first_response_at"_s, u"resolved_at"_s, u"closed_at"_s, u"first_response_due_at"_s,
            u"resolution_due_at"_s, u"csat"_s, u"csat_comment"_s, u"escalated"_s, u"created_at"_s, u"updated_at"_s });
    Table responses(m_db, u"survey_responses"_s,
        { u"id"_s, u"survey_id"_s, u"customer_id"_s, u"contact_id"_s, u"kind"_s, u"score"_s, u"nps_category"_s,
            u"comment"_s, u"channel"_s, u"responded_at"_s, u"follow_up_due"_s, u"follow_up_status"_s, u"routed_to"_s,
            u"created_at"_s, u"updated_at"_s });
    Table timeline(m_db, u"timeline_events"_s, kTimelineColumns);
    m_writer.attach({ &tickets, &responses, &timeline });
    struct Paused
    {
        qint64 ticketId;
        QString status;
        qint64 since;
    };
    std::vector<Paused> paused; // written after the tickets they belong to

    double categoryNormal[std::size(kTicketCategories)];
    double categorySpike[std::size(kTicketCategories)];
    for (std::size_t k = 0; k < std::size(kTicketCategories); ++k) {
        categoryNormal[k] = kTicketCategories[k].normalWeight;
        categorySpike[k] = kTicketCategories[k].spikeWeight;
    }
    struct Planned
    {
        int day;
        bool spike;
    };
    std::vector<Planned> planned;

    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        Rng rng(m_seed, Stream::Tickets, quint64(c.index));
        const int start = std::max(m_historyStart, c.since);
        const int days = c.end - start;
        if (days <= 0) {
            m_progress.advance(1);
            continue;
        }
        const auto people = contactsOf(c);
        planned.clear();
        const int base = rng.poisson(kTiers[c.tier].ticketsPer30Days / 30.0 * c.ticketPropensity * days);
        for (int k = 0; k < base; ++k)
            planned.push_back({ start + rng.uniformInt(0, days - 1), false });
        if (c.spikeStart >= 0) {
            const int from = std::max(c.spikeStart, start);
            const int to = std::min(c.spikeEnd, c.end - 1);
            if (to > from) {
                // The spike scales with the account (more users, more tickets) but is always noticeable.
                const int extra = rng.poisson(3.0 + 1.5 * (3 - c.tier) + kTiers[c.tier].ticketsPer30Days * 2);
                for (int k = 0; k < extra; ++k)
                    planned.push_back({ rng.uniformInt(from, to), true });
            }
        }
        std::stable_sort(
            planned.begin(), planned.end(), [](const Planned &a, const Planned &b) { return a.day < b.day; });

        for (const Planned &p : planned) {
            const qint64 id = m_nextTicketId++;
            const int priority = rng.weighted(p.spike ? kSpikePriorityWeights : kNormalPriorityWeights);
            const TicketCategoryDef &category
                = kTicketCategories[rng.weighted(p.spike ? categorySpike : categoryNormal)];
            const QString featureName = featureNameFor(c, rng);
            QString subject = latin(category.subjects[rng.uniformInt(0, 2)]);
            if (subject.contains(u"%1"_s))
                subject = subject.arg(featureName);
            const ContactInfo &requester = people[std::size_t(rng.uniformInt(0, int(people.size()) - 1))];
            const qint64 requesterId = c.contactBase + (&requester - people.data());
            const SlaDef &sla = kSla[priority];
            const qint64 opened = clampPast(std::min(businessTime(c, p.day, rng), qint64(c.end) * kMsPerDay - 1));
            const double breachRisk = p.spike ? 0.25 : 0.07;
            const double frMinutes
                = sla.firstResponseMinutes * (rng.chance(breachRisk) ? rng.uniform(1.05, 3.0) : rng.uniform(0.05, 0.9));
            const double resMinutes
                = sla.resolutionMinutes * (rng.chance(breachRisk) ? rng.uniform(1.05, 2.5) : rng.uniform(0.1, 0.95));
            qint64 firstResponse = opened + qint64(frMinutes * kMsPerMinute);
            qint64 resolved = std::max(opened + qint64(resMinutes * kMsPerMinute), firstResponse + kMsPerMinute);
            qint64 closed = -1;
            QString status;
            if (resolved < m_nowMs) {
                closed = resolved + qint64(rng.uniformInt(1, 4)) * kMsPerDay;
                if (closed < m_nowMs) {
                    status = u"closed"_s;
                } else {
                    status = u"solved"_s;
                    closed = -1;
                }
            } else {
                resolved = -1;
                if (firstResponse >= m_nowMs) {
                    firstResponse = -1;
                    status = u"new"_s;
                } else {
                    const double s = rng.uniform();
                    status = s < 0.6 ? u"open"_s : s < 0.85 ? u"pending"_s : u"on_hold"_s;
                }
            }
            const bool breached = frMinutes > sla.firstResponseMinutes || resMinutes > sla.resolutionMinutes;
            int csat = 0;
            QString csatComment;
            if (resolved >= 0 && rng.chance(0.4)) {
                const double mood = sentimentAt(c, p.day) - (breached ? 0.25 : 0.0) - (p.spike ? 0.15 : 0.0);
                csat = std::clamp(int(std::lround(1 + 4 * mood + rng.normal(0, 0.6))), 1, 5);
                if (rng.chance(0.5))
                    csatComment = latin(csat >= 4 ? rng.pick(kCsatGoodComments)
                            : csat == 3           ? rng.pick(kCsatMidComments)
                                                  : rng.pick(kCsatBadComments));
            }
            const bool escalated = (p.spike && priority <= 1 && rng.chance(0.5)) || rng.chance(0.01);
            const QString channel = latin(kTicketChannels[rng.weighted(kTicketChannelWeights)]);
            const QString team = latin(category.name) == u"billing"_s ? u"Billing"_s
                : escalated || priority <= 1                          ? u"Tier 2"_s
                                                                      : u"Tier 1"_s;
            QStringList tags = { latin(category.name) };
            if (escalated)
                tags << u"escalated"_s;
            const QString openedText = formatTimestamp(opened);
            qint64 lastChange = std::max({ opened, firstResponse, resolved, closed });

            QVariantList &row = tickets.row;
            row[0] = id;
            row[1] = c.id;
            row[2] = subject;
            row[3] = u"%1 reported: %2. Affects %3 users on the %4 team."_s.arg(requester.name, subject.toLower())
                         .arg(rng.uniformInt(1, std::max(1, c.users)))
                         .arg(latin(kIndustries[c.industry].name));
            row[4] = latin(sla.priority);
            row[5] = status;
            row[6] = channel;
            row[7] = requesterId;
            row[8] = latin(kSupportAgents[rng.uniformInt(0, int(std::size(kSupportAgents)) - 1)]);
            row[9] = team;
            row[10] = latin(category.name);
            row[11] = JsonObject::stringArray(tags);
            row[12] = openedText;
            row[13] = firstResponse >= 0 ? QVariant(formatTimestamp(firstResponse)) : nullText();
            row[14] = resolved >= 0 ? QVariant(formatTimestamp(resolved)) : nullText();
            row[15] = closed >= 0 ? QVariant(formatTimestamp(closed)) : nullText();
            row[16] = formatTimestamp(opened + qint64(sla.firstResponseMinutes) * kMsPerMinute);
            // A ticket waiting on the customer (pending, on hold) has done so since the agent's answer: its
            // resolution clock stands still, and SupportFormulas::dueAt() decides its due time (none unless it had
            // run out before the pause began). The demo's policies count calendar time.
            const bool waiting = status == u"pending"_s || status == u"on_hold"_s;
            if (waiting) {
                paused.push_back({ id, status, firstResponse });
                const QDateTime due = SupportFormulas::dueAt(QDateTime::fromMSecsSinceEpoch(opened, QTimeZone::utc()),
                    sla.resolutionMinutes,
                    { { QDateTime::fromMSecsSinceEpoch(firstResponse, QTimeZone::utc()), QDateTime() } },
                    BusinessCalendar());
                row[17] = due.isValid() ? QVariant(formatTimestamp(due.toMSecsSinceEpoch())) : nullText();
            } else {
                row[17] = formatTimestamp(opened + qint64(sla.resolutionMinutes) * kMsPerMinute);
            }
            row[18] = csat > 0 ? QVariant(csat) : nullInt();
            row[19] = csatComment.isEmpty() ? nullText() : QVariant(csatComment);
            row[20] = QVariant(escalated);
            row[21] = openedText;
            row[22] = formatTimestamp(lastChange);
            if (auto ok = m_writer.add(tickets); !ok)
                return ok;

            const QString detail = JsonObject()
                                       .add(u"category", latin(category.name))
                                       .add(u"priority", latin(sla.priority))
                                       .add(u"status", status)
                                       .text();
            if (auto ok = addTimeline(timeline, c, opened, u"ticket"_s, u"Ticket opened: "_s + subject, detail,
                    u"support_tickets"_s, QString::number(id), requester.email);
                !ok)
                return ok;
            if (escalated) {
                if (auto ok = addTimeline(timeline, c, opened + 2 * 3'600'000, u"escalation"_s,
                        u"Ticket escalated: "_s + subject, detail, u"support_tickets"_s, QString::number(id), c.owner);
                    !ok)
                    return ok;
            }

            // Customer effort survey after some resolved tickets.
            if (resolved >= 0 && resolved + 3'600'000 < m_nowMs && rng.chance(0.15)) {
                const qint64 at = clampPast(resolved + rng.uniformInt(1, 48) * qint64(3'600'000));
                const double mood = sentimentAt(c, p.day) - (breached ? 0.3 : 0.0) - (p.spike ? 0.15 : 0.0);
                const int score = std::clamp(int(std::lround(1 + 6 * mood + rng.normal(0, 0.8))), 1, 7);
                const qint64 responseId = m_nextResponseId++;
                const QString comment = rng.chance(0.5) ? latin(score >= 6 ? rng.pick(kCesEasyComments)
                                                : score >= 4               ? rng.pick(kCesMidComments)
                                                                           : rng.pick(kCesHardComments))
                                                        : QString();
                const QString atText = formatTimestamp(at);
                QVariantList &r = responses.row;
                r[0] = responseId;
                r[1] = m_surveyIds[SurveyCes];
                r[2] = c.id;
                r[3] = requesterId;
                r[4] = u"ces"_s;
                r[5] = score;
                r[6] = nullText();
                r[7] = comment.isEmpty() ? nullText() : QVariant(comment);
                r[8] = u"in_app"_s;
                r[9] = atText;
                r[10] = nullText();
                r[11] = u"none"_s;
                r[12] = nullText();
                r[13] = atText;
                r[14] = atText;
                if (auto ok = m_writer.add(responses); !ok)
                    return ok;
                const QString ces = JsonObject().add(u"kind", u"ces"_s).add(u"score", qint64(score)).text();
                if (auto ok
                    = addTimeline(timeline, c, at, u"feedback"_s, u"CES %1/7 from %2"_s.arg(score).arg(requester.name),
                        ces, u"survey_responses"_s, QString::number(responseId), requester.email);
                    !ok)
                    return ok;
            }
        }
        m_progress.advance(1);
    }
    m_stats.tickets = tickets.count;
    m_stats.surveyResponses += responses.count;
    m_stats.timelineEvents += timeline.count;
    if (auto ok = m_writer.finishPass(); !ok)
        return ok;

    Table pauses(m_db, u"ticket_sla_pauses"_s,
        { u"ticket_id"_s, u"status"_s, u"started_at"_s, u"created_at"_s, u"updated_at"_s });
    m_writer.attach({ &pauses });
    for (const Paused &p : paused) {
        const QString since = formatTimestamp(p.since);
        pauses.row = { p.ticketId, p.status, since, since, since };
        if (auto ok = m_writer.add(pauses); !ok)
            return ok;
    }
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeSurveys()
{
    m_progress.begin(u"surveys"_s, qint64(m_customers.size()));
    Table responses(m_db, u"survey_responses"_s,
        { u"id"_s, u"survey_id"_s, u"customer_id"_s, u"contact_id"_s, u"kind"_s, u"score"_s, u"nps_category"_s,
            u"comment"_s, u"channel"_s, u"responded_at"_s, u"follow_up_due"_s, u"follow_up_status"_s, u"routed_to"_s,
            u"created_at"_s, u"updated_at"_s });
    Table timeline(m_db, u"timeline_events"_s, kTimelineColumns);
    m_writer.attach({ &responses, &timeline });

    struct Response
    {
        int survey;
        int contact;
        qint64 ms;
        int score;
    };
    std::vector<Response> planned;

    for (int i : m_order) {
        const CustomerPlan &c = m_customers[std::size_t(i)];
        Rng rng(m_seed, Stream::Surveys, quint64(c.index));
        const auto people = contactsOf(c);
        planned.clear();
        const auto npsScore = [&](int day) {
            return std::clamp(int(std::lround(10.0 * sentimentAt(c, day) + rng.normal(0, 1.2))), 0, 10);
        };
        const auto addNps = [&](int day) {
            const int contact = rng.uniformInt(0, int(people.size()) - 1);
            planned.push_back({ SurveyNps, contact, businessTime(c, day, rng), npsScore(day) });
        };

        // Quarterly relationship survey: each quarter one or two contacts may answer.
        const int firstDay = std::max(m_historyStart, c.since + 30);
        for (int q = m_historyStart; q < m_today; q += 91) {
            const int from = std::max(q, firstDay);
            const int to = std::min(q + 91, c.end);
            if (to - from < 7)
                continue;
            for (int k = 0; k < 2; ++k) {
                if (rng.chance(0.45))
                    addNps(rng.uniformInt(from, to - 1));
            }
        }
        // The answers that carry the warning: detractor scores while the account slides.
        if (c.fate == Fate::Churned) {
            const int from = std::max(firstDay, c.churnDay - 75);
            const int to = c.churnDay - 10;
            if (to > from) {
                addNps(rng.uniformInt(from, to));
                if (rng.chance(0.4))
                    addNps(rng.uniformInt(from, to));
            }
        } else if (c.fate == Fate::AtRisk && rng.chance(0.75)) {
            const int from = std::max(firstDay, m_today - 60);
            if (m_today - 3 > from)
                addNps(rng.uniformInt(from, m_today - 3));
        } else if (c.fate == Fate::Recovering && c.dipStart >= 0 && rng.chance(0.7)) {
            addNps(rng.uniformInt(c.dipStart, c.dipEnd - 1));
        }
        // In-app product CSAT about twice a year.
        for (int h = m_historyStart; h < m_today; h += 182) {
            const int from = std::max(h, firstDay);
            const int to = std::min(h + 182, c.end);
            if (to - from >= 7 && rng.chance(0.3)) {
                const int day = rng.uniformInt(from, to - 1);
                const int score = std::clamp(int(std::lround(1 + 4 * sentimentAt(c, day) + rng.normal(0, 0.6))), 1, 5);
                planned.push_back(
                    { SurveyProductCsat, rng.uniformInt(0, int(people.size()) - 1), businessTime(c, day, rng), score });
            }
        }
        // Onboarding CSAT once the plan is done, lower when it ran late.
        if (c.planStatus == u"completed"_s && rng.chance(0.6)) {
            const int day = c.since + c.ttvActual + rng.uniformInt(1, 10);
            if (day < c.end) {
                const double late = double(c.ttvActual) / kTemplates[c.templateIndex].targetTtvDays - 1.0;
                const double mood = sentimentAt(c, day) - std::max(0.0, late) * 0.5;
                const int score = std::clamp(int(std::lround(1 + 4 * mood + rng.normal(0, 0.6))), 1, 5);
                planned.push_back({ SurveyOnboardingCsat, 0, businessTime(c, day, rng), score });
            }
        }
        std::stable_sort(
            planned.begin(), planned.end(), [](const Response &a, const Response &b) { return a.ms < b.ms; });

        for (const Response &p : planned) {
            const SurveyDef &def = kSurveys[p.survey];
            const QString kind = latin(def.kind);
            const qint64 at = clampPast(std::min(p.ms, qint64(c.end) * kMsPerDay - 1));
            const qint64 id = m_nextResponseId++;
            QString category;
            QString comment;
            const QString feature = featureNameFor(c, rng);
            if (p.survey == SurveyNps) {
                category = p.score >= 9 ? u"promoter"_s : p.score >= 7 ? u"passive"_s : u"detractor"_s;
                if (rng.chance(0.65)) {
                    const char *text = p.score >= 9 ? rng.pick(kPromoterComments)
                        : p.score >= 7              ? rng.pick(kPassiveComments)
                                                    : rng.pick(kDetractorComments);
                    comment = latin(text);
                    if (comment.contains(u"%1"_s))
                        comment = comment.arg(feature);
                }
            } else if (rng.chance(0.5)) {
                comment = latin(p.score >= 4 ? rng.pick(kCsatGoodComments)
                        : p.score == 3       ? rng.pick(kCsatMidComments)
                                             : rng.pick(kCsatBadComments));
            }
            // Detractors get a follow-up; the recent ones are still open.
            const bool followUp = category == u"detractor"_s;
            const qint64 due = at + 3 * kMsPerDay;
            const QString atText = formatTimestamp(at);
            QVariantList &r = responses.row;
            r[0] = id;
            r[1] = m_surveyIds[std::size_t(p.survey)];
            r[2] = c.id;
            r[3] = c.contactBase + p.contact;
            r[4] = kind;
            r[5] = p.score;
            r[6] = category.isEmpty() ? nullText() : QVariant(category);
            r[7] = comment.isEmpty() ? nullText() : QVariant(comment);
            r[8] = latin(def.channel);
            r[9] = atText;
            r[10] = followUp ? QVariant(formatTimestamp(due)) : nullText();
            r[11] = !followUp ? u"none"_s : (at > m_nowMs - 14 * kMsPerDay ? u"open"_s : u"done"_s);
            r[12] = followUp ? QVariant(c.owner) : nullText();
            r[13] = atText;
            r[14] = atText;
            if (auto ok = m_writer.add(responses); !ok)
                return ok;
            const ContactInfo &who = people[std::size_t(p.contact)];
            const QString title = p.survey == SurveyNps
                ? u"NPS %1 (%2) from %3"_s.arg(p.score).arg(category, who.name)
                : u"%1 %2/5 from %3"_s.arg(latin(def.name)).arg(p.score).arg(who.name);
            JsonObject detail;
            if (!comment.isEmpty())
                detail.add(u"comment", comment);
            detail.add(u"kind", kind).add(u"score", qint64(p.score));
            if (auto ok = addTimeline(timeline, c, at, u"feedback"_s, title, detail.text(), u"survey_responses"_s,
                    QString::number(id), who.email);
                !ok)
                return ok;
        }
        m_progress.advance(1);
    }
    m_stats.surveyResponses += responses.count;
    m_stats.timelineEvents += timeline.count;
    m_progress.finish();
    return m_writer.finishPass();
}

Status Generator::writeOnboarding()
{
    qint64 planCount = 0;
    for (const CustomerPlan &c : m_customers)
        planCount += c.templateIndex >= 0 ? 1 : 0;
    m_progress.begin(u"onboarding"_s, planCount * 3);
    const QString now = formatTimestamp(m_nowMs);

    // Plans, then milestones, then tasks: each level's rows must be in the database before its children's.
    {
        Table plans(m_db, u"onboarding_plans"_s,
            { u"id"_s, u"customer_id"_s, u"template_id"_s, u"name"_s, u"status"_s, u"owner"_s, u"started_on"_s,
                u"target_go_live"_s, u"completed_on"_s, u"target_ttv_days"_s, u"ttv_days"_s, u"created_at"_s,
                u"updated_at"_s });
        m_writer.attach({ &plans });
        for (int i : m_order) {
            const CustomerPlan &c = m_customers[std::size_t(i)];
            if (c.templateIndex < 0)
                continue;
            const TemplateDef &def = kTemplates[c.templateIndex];
            const bool completed = c.planStatus == u"completed"_s;
            QVariantList &row = plans.row;
            row[0] = c.planId;
            row[1] = c.id;
            row[2] = m_templateIds[std::size_t(c.templateIndex)];
            row[3] = QString(latin(def.name) + u" - "_s + c.name);
            row[4] = c.planStatus;
            row[5] = c.owner;
            row[6] = formatDate(c.since);
            row[7] = formatDate(c.since + def.targetTtvDays);
            row[8] = completed ? QVariant(formatDate(c.since + c.ttvActual)) : nullText();
            row[9] = def.targetTtvDays;
            row[10] = completed ? QVariant(c.ttvActual) : nullInt();
            row[11] = formatTimestamp(qint64(c.since) * kMsPerDay + 9 * 3'600'000);
            row[12] = completed ? formatTimestamp(clampPast(qint64(c.since + c.ttvActual) * kMsPerDay + 17 * 3'600'000))
                                : now;
            if (auto ok = m_writer.add(plans); !ok)
                return ok;
            m_progress.advance(1);
        }
        m_stats.onboardingPlans = plans.count;
        if (auto ok = m_writer.finishPass(); !ok)
            return ok;
    }
    {
        Table milestones(m_db, u"onboarding_milestones"_s,
            { u"id"_s, u"plan_id"_s, u"template_milestone_id"_s, u"position"_s, u"name"_s, u"owner"_s, u"status"_s,
                u"due_date"_s, u"started_at"_s, u"completed_at"_s, u"created_at"_s, u"updated_at"_s });
        Table timeline(m_db, u"timeline_events"_s, kTimelineColumns);
        m_writer.attach({ &milestones, &timeline });
        for (int i : m_order) {
            CustomerPlan &c = m_customers[std::size_t(i)];
            if (c.templateIndex < 0)
                continue;
            const TemplateDef &def = kTemplates[c.templateIndex];
            c.milestoneBase = m_nextMilestoneId;
            const auto states = milestonesOf(c);
            m_nextMilestoneId += qint64(states.size());
            const QString created = formatTimestamp(qint64(c.since) * kMsPerDay + 9 * 3'600'000);
            for (const MilestoneState &s : states) {
                const qint64 id = c.milestoneBase + s.position;
                const qint64 started = s.startedDay >= 0 ? qint64(s.startedDay) * kMsPerDay + 9 * 3'600'000 : -1;
                const qint64 completed
                    = s.completedDay >= 0 ? std::max(started, qint64(s.completedDay) * kMsPerDay + 16 * 3'600'000) : -1;
                QVariantList &row = milestones.row;
                row[0] = id;
                row[1] = c.planId;
                row[2] = m_templateMilestoneIds[std::size_t(c.templateIndex)][std::size_t(s.position)];
                row[3] = s.position;
                row[4] = latin(def.milestones[s.position].name);
                row[5] = c.owner;
                row[6] = s.status;
                row[7] = formatDate(s.due);
                row[8] = started >= 0 ? QVariant(formatTimestamp(clampPast(started))) : nullText();
                row[9] = completed >= 0 ? QVariant(formatTimestamp(clampPast(completed))) : nullText();
                row[10] = created;
                row[11] = completed >= 0 ? formatTimestamp(clampPast(completed)) : now;
                if (auto ok = m_writer.add(milestones); !ok)
                    return ok;
                if (completed >= 0) {
                    const int late = s.completedDay - s.due;
                    const QString detail = JsonObject()
                                               .add(u"days_late", qint64(std::max(0, late)))
                                               .add(u"milestone", latin(def.milestones[s.position].name))
                                               .text();
                    if (auto ok = addTimeline(timeline, c, completed, u"onboarding"_s,
                            u"Onboarding milestone completed: "_s + latin(def.milestones[s.position].name), detail,
                            u"onboarding_milestones"_s, QString::number(id), c.owner);
                        !ok)
                        return ok;
                }
            }
            m_progress.advance(1);
        }
        m_stats.timelineEvents += timeline.count;
        if (auto ok = m_writer.finishPass(); !ok)
            return ok;
    }
    {
        Table tasks(m_db, u"onboarding_tasks"_s,
            { u"milestone_id"_s, u"position"_s, u"title"_s, u"owner"_s, u"status"_s, u"due_date"_s, u"completed_at"_s,
                u"created_at"_s, u"updated_at"_s });
        m_writer.attach({ &tasks });
        for (int i : m_order) {
            const CustomerPlan &c = m_customers[std::size_t(i)];
            if (c.templateIndex < 0)
                continue;
            Rng rng(m_seed, Stream::Onboarding, quint64(c.index), 3);
            const TemplateDef &def = kTemplates[c.templateIndex];
            const auto states = milestonesOf(c);
            const QString created = formatTimestamp(qint64(c.since) * kMsPerDay + 9 * 3'600'000);
            const QString customerSide = contactsOf(c).front().email;
            for (const MilestoneState &s : states) {
                const MilestoneDef &md = def.milestones[s.position];
                const int n = taskCount(md);
                for (int k = 0; k < n; ++k) {
                    QString status = u"pending"_s;
                    qint64 completedAt = -1;
                    if (s.status == u"completed"_s) {
                        status = u"completed"_s;
                        const int span = std::max(0, s.completedDay - s.startedDay);
                        completedAt = qint64(s.startedDay + (span * (k + 1)) / n) * kMsPerDay + 14 * 3'600'000;
                    } else if (s.status == u"in_progress"_s) {
                        const double r = rng.uniform();
                        if (k == 0 || r < 0.3) {
                            status = u"completed"_s;
                            completedAt
                                = std::min(m_nowMs - 1, qint64(s.startedDay + 1 + k) * kMsPerDay + 11 * 3'600'000);
                        } else if (r < 0.7) {
                            status = u"in_progress"_s;
                        }
                    }
                    QVariantList &row = tasks.row;
                    row[0] = c.milestoneBase + s.position;
                    row[1] = k;
                    row[2] = latin(md.tasks[k]);
                    row[3] = k % 2 == 0 ? c.owner : customerSide;
                    row[4] = status;
                    row[5] = formatDate(s.due);
                    row[6] = completedAt >= 0 ? QVariant(formatTimestamp(clampPast(completedAt))) : nullText();
                    row[7] = created;
                    row[8] = completedAt >= 0 ? formatTimestamp(clampPast(completedAt)) : now;
                    if (auto ok = m_writer.add(tasks); !ok)
                        return ok;
                }
            }
            m_progress.advance(1);
        }
        if (auto ok = m_writer.finishPass(); !ok)
            return ok;
    }
    m_progress.finish();
    return {};
}

// Rows with ids chosen here bypass PostgreSQL's identity sequences; move each sequence past them so the next
// row the application inserts does not collide. (SQLite's INTEGER PRIMARY KEY needs nothing: max(rowid) + 1.)
Status Generator::fixSequences()
{
    if (m_db.dialect() != Storage::Dialect::PostgreSql)
        return {};
    static const QString tables[] = { u"contacts"_s, u"contracts"_s, u"renewals"_s, u"expansion_opportunities"_s,
        u"support_tickets"_s, u"survey_responses"_s, u"onboarding_plans"_s, u"onboarding_milestones"_s, u"surveys"_s,
        u"onboarding_templates"_s, u"onboarding_template_milestones"_s };
    for (const QString &table : tables) {
        const QString sql
            = u"SELECT setval(pg_get_serial_sequence('%1', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM %1), false)"_s
                  .arg(table);
        if (auto q = Storage::exec(m_db, sql); !q)
            return q.error();
    }
    return {};
}

Result<DemoPortfolio::Stats> Generator::run()
{
    if (auto ok = validate(); !ok)
        return ok.error();
    SqliteTuning tuning(m_db);
    auto result = generate();
    m_writer.rollback(); // a failed run may still hold its chunk's transaction; settings change outside one
    if (auto ok = tuning.restore(); !ok && result)
        return ok.error();
    return result;
}

Result<DemoPortfolio::Stats> Generator::generate()
{
    QElapsedTimer clock;
    clock.start();

    const QDate today = m_options.today.isValid() ? m_options.today : QDateTime::currentDateTimeUtc().date();
    m_today = toDay(today);
    m_historyStart = toDay(today.addMonths(-m_options.monthsOfHistory));
    m_nowMs = qint64(m_today) * kMsPerDay;
    m_seed = m_options.seed;
    m_eventBudget = m_options.usageEvents >= 0 ? m_options.usageEvents : qint64(m_options.customers) * 100;

    // The check for an existing portfolio, the wipe (with replaceExisting) and the catalogues share the first
    // transaction: a refused run changes nothing.
    if (auto ok = m_writer.begin(); !ok)
        return ok.error();
    if (auto ok = prepareDatabase(); !ok)
        return ok.error();
    for (const auto &[table, next] : { std::pair { u"contacts"_s, &m_nextContactId },
             std::pair { u"contracts"_s, &m_nextContractId }, std::pair { u"renewals"_s, &m_nextRenewalId },
             std::pair { u"expansion_opportunities"_s, &m_nextOpportunityId },
             std::pair { u"onboarding_plans"_s, &m_nextPlanId },
             std::pair { u"onboarding_milestones"_s, &m_nextMilestoneId },
             std::pair { u"support_tickets"_s, &m_nextTicketId },
             std::pair { u"survey_responses"_s, &m_nextResponseId } }) {
        auto id = nextId(table);
        if (!id)
            return id.error();
        *next = *id;
    }
    if (auto ok = writeReferenceData(); !ok)
        return ok.error();
    const qint64 firstContactId = m_nextContactId;
    planPortfolio();
    m_plannedContacts = m_nextContactId - firstContactId;

    using Pass = Status (Generator::*)();
    const Pass passes[] = {
        &Generator::writeCustomers,
        &Generator::writeContacts,
        &Generator::writeContracts,
        &Generator::writeRevenue,
        &Generator::writeUsage,
        &Generator::writeTickets,
        &Generator::writeSurveys,
        &Generator::writeOnboarding,
        &Generator::fixSequences,
    };
    for (const Pass pass : passes) {
        if (auto ok = (this->*pass)(); !ok) {
            m_writer.rollback();
            // Chunks already committed are taken out again, so a failed run leaves no half portfolio. Before
            // the first commit the rollback alone restores the database (with replaceExisting: the old
            // portfolio, which must then not be wiped).
            if (m_writer.committedAny()) {
                Storage::Transaction cleanup(m_db);
                if (wipePortfolio())
                    static_cast<void>(cleanup.commit());
            }
            return ok.error();
        }
    }
    if (auto ok = m_writer.commit(false); !ok)
        return ok.error();

    m_stats.totalRows = m_writer.total();
    m_stats.seconds = double(clock.elapsed()) / 1000.0;
    return m_stats;
}

} // namespace

QString DemoPortfolio::Stats::summary() const
{
    return u"Demo portfolio: %1 customers (%2 churned), %3 contacts, %4 contracts, %5 usage events (%6 daily rows), "
           "%7 tickets, %8 survey responses, %9 onboarding plans, %10 renewals, %11 expansion opportunities, "
           "%12 timeline events; %13 rows in %14 s (%15 rows/s)"_s.arg(customers)
               .arg(churnedCustomers)
               .arg(contacts)
               .arg(contracts)
               .arg(usageEvents)
               .arg(usageDailyRows)
               .arg(tickets)
               .arg(surveyResponses)
               .arg(onboardingPlans)
               .arg(renewals)
               .arg(expansionOpportunities)
               .arg(timelineEvents)
               .arg(totalRows)
               .arg(seconds, 0, 'f', 1)
               .arg(seconds > 0 ? qint64(totalRows / seconds) : totalRows);
}

DemoPortfolio::DemoPortfolio(const Storage::Database &db, Options options)
    : m_db(db)
    , m_options(std::move(options))
{ }

Result<DemoPortfolio::Stats> DemoPortfolio::generate(const Progress &progress)
{
    Generator generator(m_db, m_options, progress);
    return generator.run();
}

} // namespace Core
