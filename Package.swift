// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "sosdump",
    products: [
        .library(name: "SOSDump", targets: ["SOSDump"]),
        .executable(name: "sosdump", targets: ["sosdump"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // Reads the vendor's firmware bundles (zip) for `sosdump catalog import`.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // Capture readers, the decoding stack and the report models. One
        // module, so that the per-frame hot path (reader -> decoders) is
        // optimised as a whole; its folders are the layers (see docs/architecture.md).
        // swift-crypto gives the SHA-256, SHA-1 and MD5 of rebuilt files and
        // firmware images (BoringSSL's implementations, not hand-written ones).
        // zlib inflates firmware image sectors (Firmware/) exactly as the
        // phone's loader does; ZIPFoundation opens the vendor's bundles.
        .target(
            name: "SOSDump",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                "CSystemZlib",
                "CMappedFile",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),

        // The guard that lets the capture reader map a file (MappedFile):
        // a SIGBUS handler, in C because a signal handler must be
        // async-signal-safe code.
        .target(name: "CMappedFile"),

        // zlib, from Debian's zlib1g-dev, found with pkg-config. (Named apart
        // from ZIPFoundation's own CZLib module.)
        .systemLibrary(
            name: "CSystemZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // libpcap, from Debian's libpcap-dev, found with pkg-config.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // Everything that touches libpcap or a socket: kept apart so the
        // offline readers never depend on it.
        .target(name: "SOSDumpLive", dependencies: ["SOSDump", "CPcap"]),

        .executableTarget(
            name: "sosdump",
            dependencies: [
                "SOSDump",
                "SOSDumpLive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The decoding benchmark (scripts/benchmark runs it beside cat and tcpdump).
        .executableTarget(
            name: "sosdump-benchmark",
            dependencies: ["SOSDump", "SOSDumpSimulation", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // libFuzzer entry point (scripts/fuzz builds it with -sanitize=fuzzer).
        .executableTarget(name: "sosdump-fuzz", dependencies: ["SOSDump"]),

        // What the tests and the simulator share: firmware images built to
        // the spec (compress2, MD5).
        .target(
            name: "SOSDumpSimulation",
            dependencies: ["SOSDump", "CSystemZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),

        // The S.O.S. simulator (scripts/make-sos-captures): a phone in
        // recovery and the vendor's recovery utility (the library's
        // RecoveryUtility, as `sosdump recover` drives it), over real
        // sockets (SOSDumpLive's UDPSocket, AF_PACKET), with failure injection.
        .executableTarget(
            name: "sosdump-sim",
            dependencies: [
                "SOSDump",
                "SOSDumpLive",
                "SOSDumpSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(
            name: "SOSDumpTests",
            dependencies: [
                "SOSDump",
                // Firmware images built to the spec (FirmwareImageBuilder).
                "SOSDumpSimulation",
                // The tests build firmware images (compress2, MD5) and bundles (zip writer).
                "CSystemZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: []
        ),

        // Live capture: libpcap wrapper tests that need no privileges, and
        // the namespace test (root) that runs `sosdump live` against the
        // simulator over a veth pair.
        .testTarget(
            name: "SOSDumpLiveTests",
            dependencies: ["SOSDump", "SOSDumpLive", "CPcap"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
