-- Wireshark dissector for the S.O.S. firmware recovery messages of Cisco
-- SPA30x/SPA50x phones (the recovery program's request, reply, upgrade
-- order and upgrade echo), as sosdump decodes them. Field names are those
-- of `sosdump packets --format json` (its "sos" object), under "sos.":
-- sos.kind, sos.opcode, sos.length, sos.serial, sos.product, sos.mac,
-- sos.software_version, sos.hardware_version, sos.phone_address,
-- sos.upgrade_port, sos.file_name.
--
-- Use:  wireshark -X lua_script:contrib/wireshark/sos.lua capture.pcap
--       tshark -X lua_script:contrib/wireshark/sos.lua -r capture.pcap -Y sos
-- or copy this file into Wireshark's personal plugins folder
-- (Help > About Wireshark > Folders > Personal Lua Plugins).
--
-- Layout (UDP, big-endian; a message is recognised by "RECM" at offset 4,
-- on any port; the phone listens on 4810, the utility on 4811):
--   off len  request, upgrade (160)   reply (100)              upgrade echo (100)
--     0   1  opcode 0 or 2            1                        2
--     4   4  "RECM"                   "RECM"                   "RECM"
--     8  20  serial, NUL-terminated   the phone's serial       the phone's serial
--    28   2  upgrade: TFTP port       product, 20 bytes        the port, echoed
--    32 128  upgrade: file name       (product, cont.)         file name (68 bytes)
--    48   6                           MAC address
--    54  20                           software version
--    74  20                           hardware version
--    94   4                           the phone's IPv4 address
-- Opcode 2 is the phone's echo when the message is 100 bytes long, else
-- the PC's order. A text field is read to its NUL; a field the capture cut
-- before its NUL is left out, as sosdump leaves it out.

local sos = Proto("sos", "Cisco SPA S.O.S. recovery")

local f = {
    kind = ProtoField.string("sos.kind", "Kind"),
    opcode = ProtoField.uint8("sos.opcode", "Opcode", base.DEC),
    length = ProtoField.uint32("sos.length", "Length", base.DEC),
    serial = ProtoField.string("sos.serial", "Serial"),
    product = ProtoField.string("sos.product", "Product"),
    mac = ProtoField.ether("sos.mac", "MAC address"),
    software_version = ProtoField.string("sos.software_version", "Software version"),
    hardware_version = ProtoField.string("sos.hardware_version", "Hardware version"),
    phone_address = ProtoField.ipv4("sos.phone_address", "Phone address"),
    upgrade_port = ProtoField.uint16("sos.upgrade_port", "Upgrade TFTP port", base.DEC),
    file_name = ProtoField.string("sos.file_name", "File name"),
}
sos.fields = { f.kind, f.opcode, f.length, f.serial, f.product, f.mac, f.software_version,
               f.hardware_version, f.phone_address, f.upgrade_port, f.file_name }

local PHONE_PORT, UTILITY_PORT = 4810, 4811
local REPLY_LENGTH = 100

-- The kind, from the opcode and the length on the wire.
local function kind_of(opcode, length)
    if opcode == 0 then return "request" end
    if opcode == 1 then return "reply" end
    if opcode == 2 then return length == REPLY_LENGTH and "upgrade-echo" or "upgrade" end
    return "unknown"
end

-- The text at offset, at most len bytes, to its NUL; bytes that are not
-- printable ASCII (and the backslash) written \xNN, as sosdump writes them.
-- nil when the field is not on the wire or the capture cut it before its NUL.
local function text(tvb, wire, offset, len)
    local on_wire = math.min(len, wire - offset)
    if on_wire <= 0 then return nil end
    local captured = math.max(0, math.min(on_wire, tvb:len() - offset))
    local out, ended = {}, false
    for i = 0, captured - 1 do
        local b = tvb(offset + i, 1):uint()
        if b == 0 then ended = true break end
        if b >= 0x20 and b < 0x7f and b ~= 0x5c then
            out[#out + 1] = string.char(b)
        else
            out[#out + 1] = string.format("\\x%02x", b)
        end
    end
    if not ended and captured < on_wire then return nil end
    return table.concat(out), offset, math.max(1, #out)
end

local function add_text(tree, field, tvb, wire, offset, len)
    local value = text(tvb, wire, offset, len)
    if value == nil then return nil end
    local span = math.max(1, math.min(len, tvb:len() - offset))
    tree:add(field, tvb(offset, span), value)
    return value
end

local function dissect(tvb, pinfo, root)
    if tvb:len() < 8 or tvb(4, 4):string() ~= "RECM" then return 0 end
    local wire = tvb:reported_length_remaining()
    local opcode = tvb(0, 1):uint()
    local kind = kind_of(opcode, wire)
    pinfo.cols.protocol = "S.O.S."
    local tree = root:add(sos, tvb(), "Cisco SPA S.O.S. recovery, " .. kind)
    tree:add(f.kind, tvb(0, 1), kind)
    tree:add(f.opcode, tvb(0, 1))
    tree:add(f.length, tvb(), wire)
    local serial = add_text(tree, f.serial, tvb, wire, 8, 20)
    local info = "S.O.S. " .. kind .. " (op " .. opcode .. ")"
    if kind == "reply" then
        local product = add_text(tree, f.product, tvb, wire, 28, 20)
        if tvb:len() >= 54 then tree:add(f.mac, tvb(48, 6)) end
        add_text(tree, f.software_version, tvb, wire, 54, 20)
        add_text(tree, f.hardware_version, tvb, wire, 74, 20)
        if tvb:len() >= 98 then tree:add(f.phone_address, tvb(94, 4)) end
        if product then info = info .. " " .. product end
    elseif kind == "upgrade" or kind == "upgrade-echo" then
        if tvb:len() >= 30 then tree:add(f.upgrade_port, tvb(28, 2)) end
        local name = add_text(tree, f.file_name, tvb, wire, 32, kind == "upgrade" and 128 or 68)
        if name then info = info .. " " .. name end
    end
    if serial then info = info .. ", serial " .. serial end
    pinfo.cols.info = info .. ", length " .. wire
    return tvb:len()
end

function sos.dissector(tvb, pinfo, root)
    return dissect(tvb, pinfo, root)
end

-- By content on any UDP port, and on the two S.O.S. ports.
sos:register_heuristic("udp", function(tvb, pinfo, root) return dissect(tvb, pinfo, root) > 0 end)
local udp_port = DissectorTable.get("udp.port")
udp_port:add(PHONE_PORT, sos)
udp_port:add(UTILITY_PORT, sos)
