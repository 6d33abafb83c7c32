// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include "sentiment.h"

#include <cmath>
#include <optional>
#include <vector>

#include <QHash>
#include <QSet>

namespace Core {

using namespace Qt::StringLiterals;

namespace {

// Valences on VADER's -3..+3 scale, chosen for what customers write in surveys and tickets. Words whose meaning
// depends on context in this domain ("issue" as in magazine issue is rare here, "like" is mostly a preposition)
// are either weak or left out.
struct Entry
{
    const char *text;
    double valence;
};

constexpr Entry kWords[] = {
    // positive
    { "love", 3 },
    { "loved", 3 },
    { "loves", 3 },
    { "loving", 3 },
    { "excellent", 3 },
    { "fantastic", 3 },
    { "amazing", 3 },
    { "outstanding", 3 },
    { "awesome", 3 },
    { "superb", 3 },
    { "brilliant", 3 },
    { "wonderful", 3 },
    { "perfect", 3 },
    { "best", 3 },
    { "great", 3 },
    { "impressed", 3 },
    { "impressive", 3 },
    { "delighted", 3 },
    { "good", 2 },
    { "happy", 2 },
    { "satisfied", 2 },
    { "pleased", 2 },
    { "helpful", 2 },
    { "easy", 2 },
    { "easier", 2 },
    { "easiest", 2 },
    { "effortless", 2 },
    { "smooth", 2 },
    { "smoothly", 2 },
    { "seamless", 2 },
    { "seamlessly", 2 },
    { "reliable", 2 },
    { "recommend", 2 },
    { "recommended", 2 },
    { "useful", 2 },
    { "intuitive", 2 },
    { "friendly", 2 },
    { "responsive", 2 },
    { "valuable", 2 },
    { "efficient", 2 },
    { "nice", 2 },
    { "better", 2 },
    { "improved", 2 },
    { "thanks", 2 },
    { "thank", 2 },
    { "grateful", 2 },
    { "appreciate", 2 },
    { "appreciated", 2 },
    { "glad", 2 },
    { "enjoy", 2 },
    { "enjoyed", 2 },
    { "saves", 2 },
    { "saved", 2 },
    { "excited", 2 },
    { "powerful", 2 },
    { "supportive", 2 },
    { "knowledgeable", 2 },
    { "success", 2 },
    { "successful", 2 },
    { "fast", 1.5 },
    { "quick", 1.5 },
    { "quickly", 1.5 },
    { "solid", 1.5 },
    { "worth", 1.5 },
    { "stable", 1.5 },
    { "flexible", 1.5 },
    { "professional", 1.5 },
    { "clear", 1 },
    { "fine", 1 },
    { "okay", 1 },
    { "ok", 1 },
    { "decent", 1 },
    { "well", 1 },
    { "improving", 1 },
    { "resolved", 1 },
    { "solved", 1 },
    { "simple", 1 },
    // negative
    { "broken", -3 },
    { "terrible", -3 },
    { "awful", -3 },
    { "horrible", -3 },
    { "worst", -3 },
    { "hate", -3 },
    { "hated", -3 },
    { "useless", -3 },
    { "unusable", -3 },
    { "unacceptable", -3 },
    { "frustrated", -3 },
    { "frustrating", -3 },
    { "frustration", -3 },
    { "disappointed", -3 },
    { "disappointing", -3 },
    { "disappointment", -3 },
    { "angry", -3 },
    { "furious", -3 },
    { "nightmare", -3 },
    { "unreliable", -2.5 },
    { "outage", -2.5 },
    { "outages", -2.5 },
    { "crash", -2.5 },
    { "crashes", -2.5 },
    { "crashed", -2.5 },
    { "crashing", -2.5 },
    { "overpriced", -2.5 },
    { "unhappy", -2.5 },
    { "rude", -2.5 },
    { "bad", -2 },
    { "poor", -2 },
    { "poorly", -2 },
    { "buggy", -2 },
    { "fail", -2 },
    { "fails", -2 },
    { "failing", -2 },
    { "failed", -2 },
    { "failure", -2 },
    { "failures", -2 },
    { "downtime", -2 },
    { "annoying", -2 },
    { "annoyed", -2 },
    { "cancel", -2 },
    { "cancelling", -2 },
    { "canceling", -2 },
    { "cancellation", -2 },
    { "churn", -2 },
    { "unresolved", -2 },
    { "worse", -2 },
    { "ignored", -2 },
    { "painful", -2 },
    { "mess", -2 },
    { "bug", -1.5 },
    { "bugs", -1.5 },
    { "slow", -1.5 },
    { "slower", -1.5 },
    { "sluggish", -1.5 },
    { "confusing", -1.5 },
    { "confused", -1.5 },
    { "difficult", -1.5 },
    { "complicated", -1.5 },
    { "clunky", -1.5 },
    { "expensive", -1.5 },
    { "delay", -1.5 },
    { "delays", -1.5 },
    { "delayed", -1.5 },
    { "problems", -1.5 },
    { "lacking", -1.5 },
    { "lacks", -1.5 },
    { "stuck", -1.5 },
    { "timeout", -1.5 },
    { "timeouts", -1.5 },
    { "lost", -1.5 },
    { "losing", -1.5 },
    { "errors", -1.5 },
    { "tedious", -1.5 },
    { "inconsistent", -1.5 },
    { "lag", -1.5 },
    { "laggy", -1.5 },
    { "hangs", -1.5 },
    { "messy", -1.5 },
    { "complaint", -1.5 },
    { "complaints", -1.5 },
    { "worried", -1.5 },
    { "concerned", -1.5 },
    { "leaving", -1.5 },
    { "problem", -1 },
    { "issue", -1 },
    { "issues", -1 },
    { "limited", -1 },
    { "missing", -1 },
    { "error", -1 },
    { "hard", -1 },
    { "concern", -1 },
    { "alternatives", -1 },
};

// Matched before single words. Valence 0 entries neutralise a phrase whose words would otherwise score ("as well").
constexpr Entry kPhrases[] = {
    { "evaluating alternatives", -3 },
    { "looking at alternatives", -3 },
    { "considering alternatives", -3 },
    { "considering cancelling", -3 },
    { "considering canceling", -3 },
    { "waste of time", -3 },
    { "waste of money", -3 },
    { "takes forever", -2 },
    { "took forever", -2 },
    { "stopped using", -2 },
    { "stopped logging in", -2 },
    { "no longer use", -2 },
    { "takes days", -1.5 },
    { "took days", -1.5 },
    { "pain point", -1.5 },
    { "rough edges", -1 },
    { "back and forth", -1 },
    { "on board", 1 },
    { "follow up", 1 },
    { "follows up", 1 },
    { "followed up", 1 },
    { "as well", 0 },
};

constexpr const char *kNegators[] = { "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere",
    "without", "cannot", "hardly", "rarely", "seldom", "aint" };
constexpr const char *kBoosters[] = { "very", "really", "extremely", "incredibly", "absolutely", "totally",
    "completely", "highly", "truly", "super", "so", "too", "such", "most", "lot", "especially", "exceptionally" };
constexpr const char *kDiminishers[] = { "slightly", "somewhat", "bit", "little", "fairly", "kinda", "sorta", "partly",
    "barely", "marginally", "mildly" };
constexpr const char *kContrasts[] = { "but", "however" };

const QString kClauseEnd = u","_s; // , : and contrast words: ends a negation scope
const QString kSentenceEnd = u"."_s; // . ; ! ?: also ends the contrast rule's sentence

struct Lexicon
{
    QHash<QString, double> words;
    QList<std::pair<QStringList, double>> phrases; // longest first
    QSet<QString> negators;
    QSet<QString> boosters;
    QSet<QString> diminishers;
    QSet<QString> contrasts;
};

QSet<QString> toSet(std::initializer_list<const char *> list)
{
    QSet<QString> set;
    for (const char *word : list)
        set.insert(QString::fromLatin1(word));
    return set;
}

template<std::size_t N> QSet<QString> toSet(const char *const (&list)[N])
{
    QSet<QString> set;
    for (const char *word : list)
        set.insert(QString::fromLatin1(word));
    return set;
}

const Lexicon &lexicon()
{
    static const Lexicon lex = [] {
        Lexicon l;
        for (const Entry &e : kWords)
            l.words.insert(QString::fromLatin1(e.text), e.valence);
        for (const Entry &e : kPhrases)
            l.phrases.append({ QString::fromLatin1(e.text).split(u' '), e.valence });
        std::stable_sort(l.phrases.begin(), l.phrases.end(),
            [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
        l.negators = toSet(kNegators);
        l.boosters = toSet(kBoosters);
        l.diminishers = toSet(kDiminishers);
        l.contrasts = toSet(kContrasts);
        return l;
    }();
    return lex;
}

bool isBoundary(const QString &token)
{
    return token == kClauseEnd || token == kSentenceEnd;
}

// The contractions that lose their apostrophe. Spelled out because "...nt" also ends ordinary words
// ("point", "client", "want", "event").
bool isContractedNegation(const QString &token)
{
    static const QSet<QString> set = toSet({ "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont",
        "wouldnt", "couldnt", "shouldnt", "hasnt", "havent", "hadnt", "cant", "mustnt", "neednt" });
    return set.contains(token);
}

// Lower-cased words and boundary markers.
std::vector<QString> tokenize(QStringView text)
{
    std::vector<QString> tokens;
    QString word;
    const auto flush = [&] {
        if (!word.isEmpty()) {
            tokens.push_back(word);
            word.clear();
        }
    };
    const auto mark = [&](const QString &marker) {
        flush();
        if (!tokens.empty() && isBoundary(tokens.back())) {
            if (marker == kSentenceEnd)
                tokens.back() = kSentenceEnd; // the stronger boundary wins
            return;
        }
        if (!tokens.empty())
            tokens.push_back(marker);
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isLetterOrNumber()) {
            word += c.toLower();
        } else if ((c == u'\'' || c == u'\u2019') && !word.isEmpty() && i + 1 < text.size()
            && text.at(i + 1).isLetter()) {
            continue; // don't -> dont, customer's -> customers
        } else if (c == u'.' || c == u';' || c == u'!' || c == u'?') {
            mark(kSentenceEnd);
        } else if (c == u',' || c == u':') {
            mark(kClauseEnd);
        } else {
            flush();
        }
    }
    flush();
    return tokens;
}

struct Term
{
    qsizetype start = 0; // first token
    qsizetype length = 1;
    double valence = 0;
    QString text;
};

} // namespace

SentimentLabel SentimentResult::label() const
{
    if (score >= 0.05)
        return SentimentLabel::Positive;
    if (score <= -0.05)
        return SentimentLabel::Negative;
    return SentimentLabel::Neutral;
}

SentimentResult scoreSentiment(QStringView text)
{
    const Lexicon &lex = lexicon();
    std::vector<QString> tokens = tokenize(text);
    // Contrast words also end the negation scope: "not cheap but good" does not negate "good".
    std::vector<bool> contrast(tokens.size(), false);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (lex.contrasts.contains(tokens[i]))
            contrast[i] = true;
    }

    // 1. Find the terms (phrases first, longest first).
    std::vector<Term> terms;
    const auto n = qsizetype(tokens.size());
    for (qsizetype i = 0; i < n;) {
        if (isBoundary(tokens[std::size_t(i)])) {
            ++i;
            continue;
        }
        std::optional<Term> found;
        for (const auto &[words, valence] : lex.phrases) {
            const qsizetype len = words.size();
            if (i + len > n)
                continue;
            bool match = true;
            for (qsizetype k = 0; k < len && match; ++k)
                match = tokens[std::size_t(i + k)] == words.at(k);
            if (match) {
                found = Term { i, len, valence, words.join(u' ') };
                break;
            }
        }
        if (!found) {
            const auto it = lex.words.constFind(tokens[std::size_t(i)]);
            if (it != lex.words.cend())
                found = Term { i, 1, it.value(), tokens[std::size_t(i)] };
        }
        if (found) {
            i += found->length;
            if (found->valence != 0)
                terms.push_back(*found);
        } else {
            ++i;
        }
    }

    SentimentResult result;
    if (terms.empty())
        return result;

    // 2. Adjust each term by the words before it, within its clause.
    double sum = 0;
    double absSum = 0;
    for (const Term &term : terms) {
        double v = term.valence;
        QString negator;
        QString modifier;
        double intensity = 1;
        for (qsizetype back = 1; back <= 3; ++back) {
            const qsizetype j = term.start - back;
            if (j < 0)
                break;
            const QString &t = tokens[std::size_t(j)];
            if (isBoundary(t) || contrast[std::size_t(j)])
                break;
            if (negator.isEmpty() && (lex.negators.contains(t) || isContractedNegation(t)))
                negator = t;
            if (modifier.isEmpty() && back <= 2) {
                if (lex.boosters.contains(t)) {
                    intensity = back == 1 ? 1.5 : 1.25;
                    modifier = t;
                } else if (lex.diminishers.contains(t)) {
                    intensity = back == 1 ? 0.5 : 0.75;
                    modifier = t;
                }
            }
        }
        v *= intensity;
        if (!negator.isEmpty()) {
            v *= -0.5;
            ++result.negatedCount;
        }

        // 3. The contrast rule, per sentence: the first "but"/"however" splits it.
        qsizetype sentenceStart = term.start;
        while (sentenceStart > 0 && tokens[std::size_t(sentenceStart - 1)] != kSentenceEnd)
            --sentenceStart;
        qsizetype sentenceEnd = term.start;
        while (sentenceEnd < n && tokens[std::size_t(sentenceEnd)] != kSentenceEnd)
            ++sentenceEnd;
        for (qsizetype j = sentenceStart; j < sentenceEnd; ++j) {
            if (contrast[std::size_t(j)]) {
                v *= term.start < j ? 0.5 : 1.5;
                break;
            }
        }

        QString label = term.text;
        if (!modifier.isEmpty())
            label = modifier + u' ' + label;
        if (!negator.isEmpty())
            label = negator + u' ' + label;
        result.terms << label;
        sum += v;
        absSum += std::abs(v);
    }

    result.termCount = int(terms.size());
    result.score = sum / std::sqrt(sum * sum + 15.0);
    const double evidence = 1.0 - std::pow(0.5, result.termCount);
    const double agreement = absSum > 0 ? std::abs(sum) / absSum : 0;
    result.confidence = evidence * (0.5 + 0.5 * agreement);
    return result;
}

QString sentimentMethodSummary()
{
    return u"Lexicon-based scorer in the style of VADER (Hutto & Gilbert 2014): about 190 English words and phrases "
           u"with valences -3..+3, negation within three words (x -0.5), intensifiers and diminishers, the 'but' "
           u"contrast rule, score = S / sqrt(S^2 + 15) in -1..1, confidence from the number and agreement of terms. "
           u"Limitations: English only, no sarcasm or domain reversals, unknown words count for nothing, "
           u"conditionals are scored like statements; use it for triage and trends, not as a verdict on one "
           u"comment."_s;
}

} // namespace Core
