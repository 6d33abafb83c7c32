// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: 2026 CS Desk contributors
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include "accesstoken.h"
#include "memorysecretstore.h"

using namespace Qt::StringLiterals;

// A SecretStore that says it is a keyring (MemorySecretStore says it is not), to follow the "stored" path.
class PersistentStore final : public Core::SecretStore
{
public:
    void readSecret(const QString &key, ReadCallback done) override { m_inner.readSecret(key, std::move(done)); }
    void writeSecret(const QString &key, const QString &secret, WriteCallback done) override
    {
        ++writes;
        m_inner.writeSecret(key, secret, std::move(done));
    }
    void deleteSecret(const QString &key, WriteCallback done) override { m_inner.deleteSecret(key, std::move(done)); }
    bool isPersistent() const override { return true; }
    int writes = 0;

private:
    Core::MemorySecretStore m_inner;
};

class tst_AccessToken : public QObject
{
    Q_OBJECT

private:
    static Core::Result<Mcp::AccessToken::Obtained> obtain(Core::SecretStore &store)
    {
        std::optional<Core::Result<Mcp::AccessToken::Obtained>> result;
        Mcp::AccessToken::obtain(store, [&result](Core::Result<Mcp::AccessToken::Obtained> r) { result.emplace(r); });
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, 5000))
            return Core::Error::storage(u"the SecretStore never answered"_s);
        return *result;
    }

private Q_SLOTS:
    void init() { qunsetenv(Mcp::AccessToken::kEnvironmentVariable); }

    void generatedTokensAreLongRandomAndUrlSafe()
    {
        const QString a = Mcp::AccessToken::generate();
        const QString b = Mcp::AccessToken::generate();
        QCOMPARE(a.size(), 43); // 256 bits in base64url without padding
        QVERIFY(QRegularExpression(u"^[A-Za-z0-9_-]{43}$"_s).match(a).hasMatch());
        QVERIFY(a != b);
    }

    void equals_data()
    {
        QTest::addColumn<QByteArray>("presented");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<bool>("equal");
        QTest::addRow("same") << QByteArray("abcdefghijklmnop") << QByteArray("abcdefghijklmnop") << true;
        QTest::addRow("last byte differs") << QByteArray("abcdefghijklmnoq") << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("first byte differs")
            << QByteArray("bbcdefghijklmnop") << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("prefix") << QByteArray("abcdefgh") << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("longer") << QByteArray("abcdefghijklmnopq") << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("empty presented") << QByteArray() << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("both empty: never a match") << QByteArray() << QByteArray() << false;
    }
    void equals()
    {
        QFETCH(QByteArray, presented);
        QFETCH(QByteArray, expected);
        QFETCH(bool, equal);
        QCOMPARE(Mcp::AccessToken::equals(presented, expected), equal);
    }

    void environmentWins()
    {
        qputenv(Mcp::AccessToken::kEnvironmentVariable, "an-environment-token-0123");
        PersistentStore store;
        const auto obtained = obtain(store);
        QVERIFY(obtained.ok());
        QCOMPARE(obtained->token, u"an-environment-token-0123"_s);
        QCOMPARE(obtained->source, Mcp::AccessToken::Obtained::Source::Environment);
        QCOMPARE(store.writes, 0);
    }

    void shortEnvironmentTokenIsRefused()
    {
        qputenv(Mcp::AccessToken::kEnvironmentVariable, "short");
        PersistentStore store;
        const auto obtained = obtain(store);
        QVERIFY(!obtained.ok());
        QCOMPARE(obtained.error().field, u"CSDESK_MCP_TOKEN"_s);
    }

    void firstRunGeneratesAndStoresThenReusesIt()
    {
        PersistentStore store;
        const auto first = obtain(store);
        QVERIFY(first.ok());
        QCOMPARE(first->source, Mcp::AccessToken::Obtained::Source::GeneratedAndStored);
        QCOMPARE(store.writes, 1);
        const auto second = obtain(store);
        QVERIFY(second.ok());
        QCOMPARE(second->source, Mcp::AccessToken::Obtained::Source::Keyring);
        QCOMPARE(second->token, first->token);
        QCOMPARE(store.writes, 1);
    }

    void withoutKeyringTheTokenLivesForTheSession()
    {
        Core::MemorySecretStore store;
        const auto obtained = obtain(store);
        QVERIFY(obtained.ok());
        QCOMPARE(obtained->source, Mcp::AccessToken::Obtained::Source::GeneratedForSession);
        QCOMPARE(obtained->token.size(), 43);
    }
};

QTEST_GUILESS_MAIN(tst_AccessToken)
#include "tst_accesstoken.moc"
