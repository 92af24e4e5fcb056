import RelaisFetch

extension Manifest {
    /// The policy every fetch made for this source runs under: the schemes its
    /// URL allows, and the local network only if its URL is there or the
    /// manifest says `allow_private_network: true`.
    public var fetchPolicy: FetchPolicy {
        let allow = option("allow_private_network") == "true"
        guard testingPublicLoopbackPort != 0 else { return FetchPolicy(origin: url, allowPrivateNetwork: allow) }
        return FetchPolicy(origin: url, allowPrivateNetwork: allow, publicLoopbackPort: testingPublicLoopbackPort)
    }
}
