func benchReferral(listings: Int) async throws {
    print("referral benchmark: not written yet")
}
