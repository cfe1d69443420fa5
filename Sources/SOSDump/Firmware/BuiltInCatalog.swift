/// The catalog that ships with sosdump (docs/firmware.md, "The catalog"):
/// the vendor's SPA30x/SPA50x firmware bundles (zip files) with their
/// SHA-256, from the community-kept list of the vendor's bundles. It lists no images: the SHA-256
/// of the `.bin` inside each bundle is learnt by `sosdump catalog import`
/// from the bundles a user downloads, which are checked against these.
///
/// Kept as the JSON a user's catalog is written in, so that one decoder reads
/// both and the format has an example; embedded rather than a bundle
/// resource so that the `sosdump` binary works wherever it is copied.
extension FirmwareCatalog {
    static let builtInJSON = #"""
{
    "format": "sosdump-firmware-catalog",
    "version": 1,
    "images": [],
    "bundles": [
        {"release": "7.5.2b", "file": "SPA30x_SPA50x_7-5-2b_FW.zip", "size": 8434101, "sha256": "cd2e1dbd47fb007cae4202535483249cfebd3913bf713cba5f87b22d3149f768", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.4", "file": "SPA30x_SPA50x_7.5.4_FW.zip", "size": 8554906, "sha256": "195cffc5fa7f84aaf51dce0384eaf7674e28251e576f77a68d790671e67c757b", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.5b", "file": "SPA30x_SPA50x_7.5.5b_FW.zip", "size": 12806742, "sha256": "7cdf1e2c99a9f58dc2e6cad0c0434fed7b7eb7331e0c63a934e0ee4c5b1d9f37", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.5", "file": "SPA30x_SPA50x_7.5.5_FW.zip", "size": 12795894, "sha256": "0b8eb89125c365c60bcb03e5c060a8fbe5ec5a50a30d9448fdf781ecb50f5636", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.6a", "file": "SPA30x_SPA50x_7.5.6a_FW.zip", "size": 13038665, "sha256": "9e519ef7800444218f42339de1af9c666d792d4f481a4f257002a9e3e2ebb3e2", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.6_XU", "file": "SPA30x_SPA50x_7.5.6_XU_FW.zip", "size": 13510039, "sha256": "f40d018e53b93900aa196b3c956b6ffa9d793be4c28705b712266ff4eef9de95", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.7s", "file": "SPA30x_SPA50x_7.5.7s_FW.zip", "size": 13902044, "sha256": "15df30ebcf6d7f5daf961f9fcabf7541227a9f31a9654a9aa8aa89545a57ecbb", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.7", "file": "SPA30x_SPA50x_7.5.7_FW.zip", "size": 13905602, "sha256": "81b5b75b27a3fa2edf9b8366369dcb5086ef8fee8daa3ba2d46508ee75765b09", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.0", "file": "SPA30x_SPA50x_7.6.0_FW.zip", "size": 13908516, "sha256": "28382b16289de51296561a2340ff28f5dfc9dc83e9d3a327ef5b8a3e46fc981f", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.1", "file": "SPA30x_SPA50x_7.6.1_FW.zip", "size": 13893593, "sha256": "926cfbaa3dc49e98afdb010eb5b2fa8621a2101651635652ae3eeaa87a4bb82a", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR2", "file": "SPA30x_SPA50x_7.6.2SR2_FW.zip", "size": 13771808, "sha256": "41fdf1ed60079d071935bd6da85f36f64c3b4d924e6a864be36a6784f04b5360", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR3", "file": "SPA30x_SPA50x_7.6.2SR3_FW.zip", "size": 13764144, "sha256": "3cb43ded28795bc6a8eb9ddb08d37689b28cdcd5d97ccdee17d6e325751938ce", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR4", "file": "SPA30x_SPA50x_7.6.2SR4_FW.zip", "size": 13778347, "sha256": "afedaa1d782e6e40a78df1d244f7c0b2efb7e895b35871795ac2c3211157a2de", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR5", "file": "SPA30x_SPA50x_7.6.2SR5_FW.zip", "size": 13812684, "sha256": "9efbe0e95c2dd108f4480cf1df9c44405471ad008be55284d39ec79cab7aa1ee", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR6", "file": "SPA30x_SPA50x_7.6.2SR6_FW.zip", "size": 13235105, "sha256": "1274c3b5629198b865a2bb0a1407e7dcfa5106782f81b0ce04bcea8229e2868e", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR7", "file": "SPA30x_SPA50x_7.6.2SR7_FW.zip", "size": 4898613, "sha256": "d9f15630ebfdeb4a96f44a6b083cf817e9f4ed8dec817ef84a1661d4265690f9", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2SR1", "file": "SPA30x_SPA50x_7.6.2.SR1_FW.zip", "size": 13769379, "sha256": "0517ac5f95f56023180aba72eafa4a080d14c6ba841ad398ebf09e476c8ff60c", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.6.2", "file": "SPA30x_SPA50x_7.6.2_FW.zip", "size": 13892699, "sha256": "5c8d6f20f4bfb619a8dc1afe00e6846711acf69e3cf79795f3e1dc7b89f26552", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.3", "file": "SPA50x_SPA30x_7.5.3_FW.zip", "size": 12782796, "sha256": "741fca1e90cf581574213ce4ed5229dc1be020533c2394d2a1764ff0c3d1884e", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.4.6", "file": "spa50x-30x-7-4-6.zip", "size": 11734840, "sha256": "0fa3ba666dcc4c093abed96e693db1f3330467324315f2dfcd29a979f3b66ac2", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.4.7", "file": "spa50x-30x-7-4-7.zip", "size": 11873085, "sha256": "faf2d16554792ef9f91d369f50fc89974150011cfebb2f8b0b25832934b8c519", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.4.8a", "file": "spa50x-30x-7-4-8a.zip", "size": 11907814, "sha256": "0cf06347112b12739579b8f3563175532caf3d9d6e65891ca2a83a2c63be75bc", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.4.9a", "file": "spa50x-30x-7-4-9a.zip", "size": 12171197, "sha256": "0371c0e0db1d94b36eb4e9556ef9a24eddd7524734226030a6cb1b9628d44a9a", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.4.9c", "file": "spa50x-30x-7-4-9c.zip", "size": 12299909, "sha256": "c5cca55d2d78d19a4af5c224fdb42e33e00b23f0afd02c414924d3e2d23df384", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"},
        {"release": "7.5.1a", "file": "spa50x-30x-7-5-1a.zip", "size": 8195506, "sha256": "75feff6d1774c4ccd37d239c2d54212fc28223070a5c06e7fcc546b7d15b3725", "origin": "SHA-256 from the Git LFS pointers in AidanFray/Cisco_SPA504G_RE, folder firmware/ (community-kept copies of the vendor's downloads)"}
    ]
}
"""#
}
