import RelaisFetch

extension Manifest {
    /// The policy every fetch made for this source runs under: the schemes its
    /// URL allows, and the local network only if its URL is there or the
    /// manifest says `allow_private_network: true`.
    public var fetchPolicy: FetchPolicy {
        FetchPolicy(origin: url, allowPrivateNetwork: option("allow_private_network") == "true")
    }
}
