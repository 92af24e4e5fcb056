import RelaisAuth
import Testing

struct SecretsTests {
    @Test func scryptHashesVerifyOnlyTheRightPassword() throws {
        let hasher = PasswordHasher(logN: 10)
        let hash = try hasher.hash("un mot de passe assez long")
        #expect(hash.hasPrefix("scrypt$10$8$1$"))
        #expect(PasswordHasher.verify("un mot de passe assez long", against: hash))
        #expect(!PasswordHasher.verify("un mot de passe assez lonG", against: hash))
        #expect(!PasswordHasher.verify("", against: hash))
        // Same password, new salt: a different hash.
        #expect(try hasher.hash("un mot de passe assez long") != hash)
        // Malformed or absurd parameters never verify (and never allocate gigabytes).
        for bad in ["", "scrypt$10$8$1$$", "bcrypt$x", "scrypt$40$8$1$AAAA$AAAA", String(hash.dropLast(2))] {
            #expect(!PasswordHasher.verify("un mot de passe assez long", against: bad))
        }
        #expect(throws: PasswordHasher.Failure.self) { try hasher.hash("court") }
    }

    @Test func tokensHaveAPrefixAndAreComparedByHash() {
        let t = APIToken.generate()
        #expect(t.value.hasPrefix("relais_\(t.prefix)_"))
        #expect(APIToken.prefix(of: t.value) == t.prefix)
        #expect(APIToken.prefix(of: "nope") == nil)
        #expect(APIToken.prefix(of: "relais_12345678_short") == nil)
        #expect(t.hash.count == 64 && t.hash != APIToken.generate().hash)
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func constantTimeComparison() {
        #expect(Secrets.constantTimeEquals("abc", "abc"))
        #expect(!Secrets.constantTimeEquals("abc", "abd"))
        #expect(!Secrets.constantTimeEquals("abc", "abcd"))
        #expect(Secrets.constantTimeEquals("", ""))
        #expect(Secrets.randomToken().count == 43)
    }
}
