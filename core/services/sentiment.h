// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

#include "enumnames.h"

namespace Core {

// Positive / neutral / negative, with VADER's ±0.05 cut-offs on the score (Hutto & Gilbert 2014, §3.3).
enum class SentimentLabel { Negative, Neutral, Positive };

// The sentiment of one piece of feedback text (a survey comment, a ticket's rating comment).
struct SentimentResult
{
    double score = 0; // -1 (negative) .. 1 (positive); 0 when there is no signal
    double confidence = 0; // 0..1: how much evidence, and how one-sided (see scoreSentiment())
    int termCount = 0; // sentiment-bearing lexicon terms found
    int negatedCount = 0; // of those, flipped by a negation ("not good")
    QStringList terms; // the lexicon terms found, in text order, e.g. "not good", "very slow"

    // False when no lexicon term was found: the text carries no measurable sentiment, and callers must treat it
    // as "no data", never as a neutral 0.
    bool hasSignal() const { return termCount > 0; }
    SentimentLabel label() const;
};

// A small, documented lexicon scorer in the spirit of VADER (Hutto & Gilbert, "VADER: A Parsimonious Rule-based
// Model for Sentiment Analysis of Social Media Text", ICWSM 2014), tuned for customer-success feedback. Pure and
// deterministic: the same text always gives the same result.
//
// Method:
// 1. Lower-case; apostrophes are dropped inside words ("don't" -> "dont"); other non-letters split words.
//    Sentence punctuation (. , ; : ! ?) ends a clause.
// 2. Multi-word phrases are matched before single words ("evaluating alternatives" -3, "waste of time" -3,
//    "as well" 0, ...); every lexicon entry has a valence on VADER's -3..+3 scale.
// 3. Negation: a negator (not, no, never, nobody, nothing, without, hardly, any "...n't" word, ...) within the
//    three words before a term, in the same clause, multiplies its valence by -0.5 ("not good" is mildly
//    negative, "not bad" mildly positive; VADER uses -0.74).
// 4. Intensifiers (very, really, extremely, too, so, ...) multiply the valence by 1.5 when right before the
//    term, by 1.25 with one word between; diminishers (slightly, somewhat, a bit, a little, ...) by 0.5 / 0.75.
// 5. Contrast: in a sentence with "but" or "however", terms before it count half and terms after it 1.5 times
//    (VADER's rule: the clause after "but" carries the writer's opinion).
// 6. score = S / sqrt(S² + 15), S the sum of the adjusted valences (VADER's normalisation, alpha = 15), so one
//    "good" (2) gives 0.459 and the score approaches ±1 as evidence piles up.
// 7. confidence = (1 - 0.5^n) * (0.5 + 0.5 * |S| / Σ|v|) with n terms: more terms, more confidence; a one-sided
//    text keeps it, a mixed one ("good but slow") halves it at most.
//
// Limitations (say them wherever the number is shown): English only; words outside the ~190-entry lexicon count
// for nothing; no sarcasm, irony or domain reversals ("sick", "killer feature"); negation scope is a fixed
// three-word window; questions and conditionals ("would be great if ...") are scored like statements; no emoji
// or capitalisation cues. It is a triage signal for reading lists and trends, not a verdict on one comment.
SentimentResult scoreSentiment(QStringView text);

// The method and its limitations in two sentences, for reports and tool output.
QString sentimentMethodSummary();

} // namespace Core

namespace Domain {
CS_ENUM_NAMES(Core::SentimentLabel, { Core::SentimentLabel::Negative, "negative" },
    { Core::SentimentLabel::Neutral, "neutral" }, { Core::SentimentLabel::Positive, "positive" });
} // namespace Domain
