import Foundation

/// Paths in the repository, found from this file's path.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func capture(_ group: String, _ name: String) -> String {
        root.appendingPathComponent("captures").appendingPathComponent(group).appendingPathComponent(name).path
    }

    /// The directory the test bundle was built into: `sosdump` and
    /// `sosdump-sim` are beside it.
    static var binaries: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
