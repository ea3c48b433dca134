-- Wireshark dissector for udpx, wire protocol version 3 (docs/protocol.md is the authority).
--
-- Install: copy this file to ~/.local/lib/wireshark/plugins/ (Wireshark 4.x), or load it for one
-- run with `wireshark -X lua_script:udpx.lua` / `tshark -X lua_script:udpx.lua`. See gns3/README.md.
--
-- It registers heuristically on UDP (udpx's port is configurable, so the port proves nothing): a
-- datagram is udpx when it starts with magic 0x55, version 3, a type 1..10 and is long enough for
-- that type. The preference "udpx.port" also binds one fixed port (and udpx is in Decode As), so
-- that datagrams the heuristic would refuse (truncated, unknown type, other version) are shown too.
--
-- Written for the Lua API of Wireshark 4.0 (Debian 12's tshark) and later. Every read is
-- length-checked: a malformed or truncated datagram gets an expert error, never a Lua error.

local VERSION = 3
local MAGIC = 0x55
local HEADER = 24
local TAG = 16              -- HMAC-SHA256 tag (authenticated) or AES-GCM tag (encrypted Data)
local DATA_HEADER = HEADER + 12
local FLAG_AUTH = 0x01
local FLAG_ENCRYPTED = 0x02
local MAX_RANGE_ITEMS = 512 -- ack ranges listed one by one in the tree; all of them in udpx.ack.ranges

-- Wireshark 4.0 bundles Lua 5.2 with the BitOp "bit" module; later builds may drop it. Only small
-- non-negative values are masked here, so plain arithmetic does the job when it is missing.
local band = bit and bit.band or function(a, b)
    local result, place = 0, 1
    while a > 0 and b > 0 do
        if a % 2 == 1 and b % 2 == 1 then
            result = result + place
        end
        a, b, place = math.floor(a / 2), math.floor(b / 2), place * 2
    end
    return result
end

local BIT = { 1, 2, 4, 8, 16, 32, 64, 128 }

local T = { HELLO = 1, COOKIE = 2, OFFER = 3, ACCEPT = 4, REJECT = 5, DATA = 6, ACK = 7, DONE = 8, FINISH = 9, ABORT = 10 }

local type_names = {
    [1] = "Hello", [2] = "Cookie", [3] = "Offer", [4] = "Accept", [5] = "Reject",
    [6] = "Data", [7] = "Ack", [8] = "Done", [9] = "Finish", [10] = "Abort",
}

-- The smallest message (tag excluded) of each type; Hello, Cookie, Accept, Finish, Abort are exact.
local min_length = {
    [1] = 64, [2] = HEADER + 24, [3] = HEADER + 46, [4] = HEADER + 32, [5] = HEADER + 4,
    [6] = DATA_HEADER + 1, [7] = HEADER + 26, [8] = HEADER + 12, [9] = HEADER + 24, [10] = HEADER + 2,
}
local exact_length = { [1] = true, [2] = true, [4] = true, [9] = true, [10] = true }

-- src/udpx/Protocol/RejectReason.cs, RejectReasonText.Describe: the texts udpx itself prints.
local reason_texts = {
    [0] = "ok",
    [1] = "handshake cookie expired",
    [2] = "file name rejected",
    [3] = "file too large for this server",
    [4] = "server disk full",
    [5] = "digest mismatch: the stored bytes differ from the sent file",
    [6] = "server busy: too many sessions",
    [7] = "session id already in use",
    [8] = "server I/O error",
    [9] = "cancelled",
    [10] = "session expired after being idle",
    [11] = "unknown session",
    [12] = "malformed offer",
    [13] = "another transfer of this name is in progress",
    [14] = "a file of this name already exists on the server and was not replaced (the server replaces files only with --overwrite)",
}

local function reason_text(code)
    return reason_texts[code] or ("reason " .. code)
end

local udpx = Proto("udpx", "udpx reliable file transfer")

local f = {
    magic = ProtoField.uint8("udpx.magic", "Magic", base.HEX),
    version = ProtoField.uint8("udpx.version", "Version", base.DEC),
    type = ProtoField.uint8("udpx.type", "Type", base.DEC, type_names),
    flags = ProtoField.uint8("udpx.flags", "Flags", base.HEX),
    flag_auth = ProtoField.bool("udpx.flags.authenticated", "Authenticated (HMAC tag follows)", 8, nil, FLAG_AUTH),
    flag_enc = ProtoField.bool("udpx.flags.encrypted", "Encrypted payload (AES-GCM)", 8, nil, FLAG_ENCRYPTED),
    flag_reserved = ProtoField.uint8("udpx.flags.reserved", "Reserved", base.HEX, nil, 0xFC),
    checksum = ProtoField.uint32("udpx.checksum", "Checksum", base.HEX),
    session = ProtoField.uint64("udpx.session", "Session id", base.HEX),
    pn = ProtoField.uint64("udpx.pn", "Packet number", base.DEC),
    tag = ProtoField.bytes("udpx.tag", "HMAC-SHA256 tag (truncated)"),
    gcm_tag = ProtoField.bytes("udpx.gcm_tag", "AES-GCM tag"),

    hello_time = ProtoField.uint64("udpx.hello.client_time", "Client time (us)", base.DEC),
    hello_padding = ProtoField.bytes("udpx.hello.padding", "Padding"),

    cookie_echo = ProtoField.uint64("udpx.cookie.echo_time", "Echoed client time (us)", base.DEC),
    cookie_issued = ProtoField.uint64("udpx.cookie.issued_at", "Issued at (s)", base.DEC),
    cookie_mac = ProtoField.uint64("udpx.cookie.mac", "Cookie MAC", base.HEX),

    offer_issued = ProtoField.uint64("udpx.offer.cookie_issued_at", "Cookie issued at (s)", base.DEC),
    offer_mac = ProtoField.uint64("udpx.offer.cookie_mac", "Cookie MAC", base.HEX),
    offer_size = ProtoField.uint64("udpx.offer.file_size", "File size", base.DEC),
    offer_chunk = ProtoField.uint16("udpx.offer.chunk_size", "Chunk size", base.DEC),
    offer_flags = ProtoField.uint16("udpx.offer.flags", "Offer flags", base.HEX),
    offer_flag_enc = ProtoField.bool("udpx.offer.flags.encrypted", "File bytes will be encrypted", 16, nil, 0x0001),
    offer_random = ProtoField.bytes("udpx.offer.client_random", "Client random"),
    offer_identity = ProtoField.bytes("udpx.offer.identity", "File identity"),
    offer_name_len = ProtoField.uint16("udpx.offer.name_length", "Name length", base.DEC),
    offer_name = ProtoField.string("udpx.offer.name", "Name (path relative to the sent folder)", base.UNICODE),

    accept_resume = ProtoField.uint64("udpx.accept.resume_from", "Resume from chunk", base.DEC),
    accept_window = ProtoField.uint32("udpx.accept.window", "Window (chunks)", base.DEC),
    accept_chunk = ProtoField.uint16("udpx.accept.chunk_size", "Chunk size", base.DEC),
    accept_reserved = ProtoField.uint16("udpx.accept.reserved", "Reserved", base.HEX),
    accept_random = ProtoField.bytes("udpx.accept.server_random", "Server random"),

    reason = ProtoField.uint16("udpx.reason", "Reason", base.DEC, reason_texts),
    reason_text = ProtoField.string("udpx.reason_text", "Reason text"),
    message_len = ProtoField.uint16("udpx.message_length", "Message length", base.DEC),
    message = ProtoField.string("udpx.message", "Message", base.UNICODE),
    done_stored = ProtoField.uint64("udpx.done.bytes_stored", "Bytes stored", base.DEC),

    data_chunk = ProtoField.uint64("udpx.data.chunk", "Chunk index", base.DEC),
    data_time = ProtoField.uint32("udpx.data.send_time", "Send time (us mod 2^32)", base.DEC),
    data_len = ProtoField.uint32("udpx.data.payload_length", "Payload length", base.DEC),
    data_payload = ProtoField.bytes("udpx.data.payload", "Payload"),
    data_encrypted = ProtoField.bytes("udpx.data.encrypted_payload", "Encrypted payload"),

    ack_largest = ProtoField.uint64("udpx.ack.largest_received", "Largest data packet number received", base.DEC),
    ack_cum = ProtoField.uint64("udpx.ack.cumulative", "Cumulative (every chunk below is held)", base.DEC),
    ack_echo = ProtoField.uint32("udpx.ack.echo", "Echoed send time (us)", base.DEC),
    ack_dups = ProtoField.uint32("udpx.ack.duplicates", "Duplicates seen", base.DEC),
    ack_bitmap_len = ProtoField.uint16("udpx.ack.bitmap_length", "Bitmap length", base.DEC),
    ack_bitmap = ProtoField.bytes("udpx.ack.bitmap", "Bitmap"),
    ack_ranges = ProtoField.string("udpx.ack.ranges", "Held chunks (ranges)"),
    ack_range_count = ProtoField.uint32("udpx.ack.range_count", "Ranges", base.DEC),
    ack_held = ProtoField.uint32("udpx.ack.held", "Held chunks above cumulative", base.DEC),
    ack_range = ProtoField.string("udpx.ack.range", "Range"),

    finish_size = ProtoField.uint64("udpx.finish.file_size", "File size", base.DEC),
    finish_digest = ProtoField.bytes("udpx.finish.digest", "Digest (XxHash128 of chunk hashes)"),
}

local field_list = {}
for _, field in pairs(f) do
    field_list[#field_list + 1] = field
end
udpx.fields = field_list

local e = {
    malformed = ProtoExpert.new("udpx.malformed", "Malformed udpx datagram", expert.group.MALFORMED, expert.severity.ERROR),
    authenticated = ProtoExpert.new("udpx.authenticated", "Authenticated datagram (HMAC-SHA256 tag, not verified here: needs the key)",
        expert.group.SECURITY, expert.severity.NOTE),
    encrypted = ProtoExpert.new("udpx.encrypted", "Encrypted payload (AES-256-GCM, not decrypted here)",
        expert.group.SECURITY, expert.severity.NOTE),
    reason = ProtoExpert.new("udpx.refused", "Session refused or failed", expert.group.RESPONSE_CODE, expert.severity.WARN),
    protocol = ProtoExpert.new("udpx.unexpected", "Unexpected value", expert.group.PROTOCOL, expert.severity.WARN),
    snapped = ProtoExpert.new("udpx.not_captured", "The capture holds only the start of this datagram (snap length)",
        expert.group.UNDECODED, expert.severity.NOTE),
}
udpx.experts = { e.malformed, e.authenticated, e.encrypted, e.reason, e.protocol, e.snapped }

udpx.prefs.gso = Pref.bool("Split UDP GSO bundles", true,
    "A capture on loopback holds udpx's GSO bundles whole: show each datagram in them.")
udpx.prefs.port = Pref.uint("Fixed UDP port", 0,
    "Also decode this UDP port as udpx, whatever the heuristic says (0: none). udpx serve's default is 9000.")

local function format_size(bytes)
    local units = { "KiB", "MiB", "GiB", "TiB", "PiB" }
    if bytes < 1024 then
        return string.format("%d B", bytes)
    end
    local value, unit = bytes / 1024, 1
    while value >= 1024 and unit < #units do
        value, unit = value / 1024, unit + 1
    end
    return string.format("%.1f %s", value, units[unit])
end

-- A cursor over the message (the tag excluded): every read checks the length first.
local Reader = {}
Reader.__index = Reader

-- limit: where the message ends (the datagram's real length, tag excluded); avail: how much of it the
-- capture holds (less when a snap length cut the packet short).
local function new_reader(tvb, pinfo, tree, limit, avail)
    return setmetatable({ tvb = tvb, pinfo = pinfo, tree = tree, limit = limit, avail = math.min(limit, avail), off = HEADER, ok = true }, Reader)
end

function Reader:left()
    return self.limit - self.off
end

-- How many of the next n bytes the capture holds; notes once that the rest was not captured.
function Reader:visible(n)
    local shown = math.max(math.min(n, self.avail - self.off), 0)
    if shown < n then
        self:not_captured()
    end
    return shown
end

function Reader:not_captured()
    if not self.snapped then
        self.tree:add_proto_expert_info(e.snapped)
        self.snapped = true
    end
end

-- True when n more bytes are there; otherwise adds one expert error naming the field and stops the message.
function Reader:need(n, what)
    if not self.ok then
        return false
    end
    if self.off + n > self.limit then
        self.tree:add_proto_expert_info(e.malformed, string.format("truncated: %s needs %d bytes at offset %d, %d left",
            what, n, self.off, math.max(self:left(), 0)))
        self.ok = false
        return false
    end
    if self.off + n > self.avail then
        self:not_captured()
        self.ok = false
        return false
    end
    return true
end

-- Adds a fixed-size field; returns its range (nil when truncated).
function Reader:add(field, n, what)
    if not self:need(n, what) then
        return nil
    end
    local range = self.tvb(self.off, n)
    self.tree:add(field, range)
    self.off = self.off + n
    return range
end

-- Adds a UTF-8 string field of n bytes (n may be 0); returns its text.
function Reader:add_text(field, n, what)
    if n == 0 then
        self.tree:add(field, ""):set_generated()
        return ""
    end
    if not self:need(n, what) then
        return nil
    end
    local range = self.tvb(self.off, n)
    local text = range:string(ENC_UTF_8)
    self.tree:add(field, range, text)
    self.off = self.off + n
    return text
end

-- The message must end here (the tag aside).
function Reader:finish_exact(name)
    if self.ok and self.off < self.limit then
        self.tree:add_proto_expert_info(e.malformed, string.format("%d unexpected bytes after the %s", self.limit - self.off, name))
        self.ok = false
    end
end

local function hex_of(range)
    return tostring(range:bytes())
end

local dissect_body = {}

dissect_body[T.HELLO] = function(r)
    r:add(f.hello_time, 8, "client time")
    if r.ok and r:left() ~= 64 - 32 then
        r.tree:add_proto_expert_info(e.malformed, string.format("a Hello is %d bytes, not 64", r.limit))
        r.ok = false
    end
    local shown = r:visible(r:left())
    if shown > 0 then
        r.tree:add(f.hello_padding, r.tvb(r.off, shown))
    end
    r.off = r.limit
    return "Hello"
end

dissect_body[T.COOKIE] = function(r)
    r:add(f.cookie_echo, 8, "echoed client time")
    r:add(f.cookie_issued, 8, "issued-at")
    r:add(f.cookie_mac, 8, "cookie MAC")
    r:finish_exact("Cookie")
    return "Cookie"
end

dissect_body[T.OFFER] = function(r)
    r:add(f.offer_issued, 8, "cookie issued-at")
    r:add(f.offer_mac, 8, "cookie MAC")
    local size = r:add(f.offer_size, 8, "file size")
    r:add(f.offer_chunk, 2, "chunk size")
    local encrypted = false
    if r:need(2, "offer flags") then
        local range = r.tvb(r.off, 2)
        local item = r.tree:add(f.offer_flags, range)
        item:add(f.offer_flag_enc, range)
        encrypted = band(range:uint(), 0x0001) ~= 0
        if band(range:uint(), 0xFFFE) ~= 0 then
            item:add_proto_expert_info(e.protocol, "reserved offer flags set")
        end
        r.off = r.off + 2
    end
    r:add(f.offer_random, 16, "client random")
    r:add(f.offer_identity, 16, "file identity")
    local name_len = r:add(f.offer_name_len, 2, "name length")
    local name
    if name_len then
        local n = name_len:uint()
        if n ~= r:left() then
            r.tree:add_proto_expert_info(e.malformed, string.format("name length %d, but %d bytes follow", n, r:left()))
            r.ok = false
            n = r:visible(math.min(n, r:left()))
            if n > 0 then
                name = r.tvb(r.off, n):string(ENC_UTF_8)
                r.tree:add(f.offer_name, r.tvb(r.off, n), name)
            end
        else
            name = r:add_text(f.offer_name, n, "name")
        end
    end
    local info = "Offer"
    if name then
        info = info .. ' "' .. name:gsub("%c", "?") .. '"'
    end
    if size then
        info = info .. " " .. format_size(size:uint64():tonumber())
    end
    if encrypted then
        info = info .. " (to be encrypted)"
    end
    return info
end

dissect_body[T.ACCEPT] = function(r)
    r:add(f.accept_resume, 8, "resume-from chunk")
    local window = r:add(f.accept_window, 4, "window")
    local chunk = r:add(f.accept_chunk, 2, "chunk size")
    r:add(f.accept_reserved, 2, "reserved")
    r:add(f.accept_random, 16, "server random")
    r:finish_exact("Accept")
    local info = "Accept"
    if window then
        info = info .. " window " .. window:uint()
    end
    if chunk then
        info = info .. " x " .. chunk:uint() .. " B"
    end
    return info
end

-- A reason code, with its text as a generated field and a warning when it is not "ok".
local function add_reason(r)
    local range = r:add(f.reason, 2, "reason")
    if not range then
        return nil
    end
    local code = range:uint()
    local text = reason_text(code)
    r.tree:add(f.reason_text, range, text):set_generated()
    if code ~= 0 then
        r.tree:add_proto_expert_info(e.reason, text)
    end
    return text
end

-- A length-prefixed message (Reject, Done) that must fill the rest of the datagram.
local function add_message(r, len_range)
    if not len_range then
        return nil
    end
    local n = len_range:uint()
    if n ~= r:left() then
        r.tree:add_proto_expert_info(e.malformed, string.format("message length %d, but %d bytes follow", n, r:left()))
        r.ok = false
        return nil
    end
    return r:add_text(f.message, n, "message")
end

local function with_message(info, message)
    if message and message ~= "" then
        return info .. string.format(" (%s)", message)
    end
    return info
end

dissect_body[T.REJECT] = function(r)
    local text = add_reason(r)
    local message = add_message(r, r:add(f.message_len, 2, "message length"))
    return with_message("Reject: " .. (text or "?"), message)
end

dissect_body[T.DONE] = function(r)
    local text = add_reason(r)
    local stored = r:add(f.done_stored, 8, "bytes stored")
    local message = add_message(r, r:add(f.message_len, 2, "message length"))
    local info = "Done: " .. (text or "?")
    if stored then
        info = info .. ", " .. format_size(stored:uint64():tonumber()) .. " stored"
    end
    return with_message(info, message)
end

dissect_body[T.DATA] = function(r, flags)
    local chunk = r:add(f.data_chunk, 8, "chunk index")
    r:add(f.data_time, 4, "send time")
    if not r.ok then
        return "Data"
    end
    local n = r:left()
    if n <= 0 then
        r.tree:add_proto_expert_info(e.malformed, "a data datagram without payload")
        r.ok = false
        return "Data chunk " .. tostring(chunk:uint64()) .. " (empty)"
    end
    local shown = r:visible(n)
    if shown > 0 then
        local range = r.tvb(r.off, shown)
        r.tree:add(f.data_len, range, n):set_generated()
        r.tree:add(band(flags, FLAG_ENCRYPTED) ~= 0 and f.data_encrypted or f.data_payload, range)
    else
        r.tree:add(f.data_len, n):set_generated()
    end
    r.off = r.limit
    r.chunk, r.payload = chunk:uint64(), n
    return string.format("Data chunk %s (%d B)", tostring(chunk:uint64()), n)
end

-- Ranges of set bits in the bitmap, as offsets from the first chunk it names (cumulative + 1).
local function bitmap_ranges(bytes)
    local ranges, held, start = {}, 0, nil
    local bits = bytes:len() * 8
    for i = 0, bytes:len() - 1 do
        local v = bytes:get_index(i)
        if v == 0xFF and start then
            held = held + 8
        elseif v == 0 and not start then
            -- nothing held in these 8 chunks
        else
            for b = 0, 7 do
                local index = i * 8 + b
                if band(v, BIT[b + 1]) ~= 0 then
                    held = held + 1
                    if not start then
                        start = index
                    end
                elseif start then
                    ranges[#ranges + 1] = { start, index - 1 }
                    start = nil
                end
            end
        end
    end
    if start then
        ranges[#ranges + 1] = { start, bits - 1 }
    end
    return ranges, held
end

dissect_body[T.ACK] = function(r)
    r:add(f.ack_largest, 8, "largest received")
    local cum_range = r:add(f.ack_cum, 8, "cumulative")
    r:add(f.ack_echo, 4, "echoed send time")
    local dups = r:add(f.ack_dups, 4, "duplicates")
    local len_range = r:add(f.ack_bitmap_len, 2, "bitmap length")
    if not (cum_range and len_range) then
        return "Ack"
    end
    local cum = cum_range:uint64()
    local info = "Ack cum " .. tostring(cum)
    local n = len_range:uint()
    if n ~= r:left() then
        r.tree:add_proto_expert_info(e.malformed, string.format("bitmap length %d, but %d bytes follow", n, r:left()))
        r.ok = false
        return info
    end
    if n == 0 then
        r.tree:add(f.ack_ranges, "none"):set_generated()
        return info
    end
    local shown = r:visible(n)
    if shown == 0 then
        return info .. " (bitmap not captured)"
    end
    local range = r.tvb(r.off, shown)
    local bitmap_item = r.tree:add(f.ack_bitmap, range)
    r.off = r.limit
    local ranges, held = bitmap_ranges(range:bytes())
    local first = cum + 1
    local parts = {}
    for i, span in ipairs(ranges) do
        local text
        if span[1] == span[2] then
            text = tostring(first + span[1])
        else
            text = tostring(first + span[1]) .. "-" .. tostring(first + span[2])
        end
        parts[#parts + 1] = text
        if i <= MAX_RANGE_ITEMS then
            bitmap_item:add(f.ack_range, range, text):set_generated()
        end
    end
    r.tree:add(f.ack_ranges, range, #parts > 0 and table.concat(parts, ", ") or "none"):set_generated()
    r.tree:add(f.ack_range_count, range, #ranges):set_generated()
    r.tree:add(f.ack_held, range, held):set_generated()
    if #ranges > 0 then
        info = info .. string.format(" +%d range%s", #ranges, #ranges == 1 and "" or "s")
    end
    if dups and dups:uint() > 0 then
        info = info .. " dups " .. dups:uint()
    end
    return info
end

dissect_body[T.FINISH] = function(r)
    local size = r:add(f.finish_size, 8, "file size")
    local digest = r:add(f.finish_digest, 16, "digest")
    r:finish_exact("Finish")
    local info = "Finish"
    if size then
        info = info .. " " .. format_size(size:uint64():tonumber())
    end
    if digest then
        info = info .. " digest " .. string.lower(hex_of(digest)):sub(1, 8) .. "..."
    end
    return info
end

dissect_body[T.ABORT] = function(r)
    local text = add_reason(r)
    r:finish_exact("Abort")
    return "Abort: " .. (text or "?")
end

-- Is this a udpx v3 datagram? Only what a random datagram is unlikely to have: magic, version, a known
-- type and at least the type's length. The dissector itself then checks every length exactly.
local function looks_like_udpx(tvb)
    local len = tvb:reported_len()
    if len < HEADER or tvb:len() < 4 then
        return false
    end
    if tvb(0, 1):uint() ~= MAGIC or tvb(1, 1):uint() ~= VERSION then
        return false
    end
    local kind = tvb(2, 1):uint()
    local minimum = min_length[kind]
    if not minimum then
        return false
    end
    local flags = tvb(3, 1):uint()
    local message = len
    if band(flags, FLAG_AUTH + FLAG_ENCRYPTED) ~= 0 then
        message = len - TAG
    end
    if exact_length[kind] then
        return message == minimum
    end
    return message >= minimum
end

local function dissect(tvb, pinfo, root)
    local captured, len = tvb:len(), tvb:reported_len()
    if captured < 1 or tvb(0, 1):uint() ~= MAGIC then
        return 0
    end
    local tree = root:add(udpx, tvb())
    if len < HEADER then
        tree:add(f.magic, tvb(0, 1))
        tree:add_proto_expert_info(e.malformed, string.format("truncated: %d bytes, the header alone is %d", len, HEADER))
        return captured, "udpx truncated header [malformed]"
    end
    if captured < HEADER then
        tree:add(f.magic, tvb(0, 1))
        tree:add_proto_expert_info(e.snapped)
        return captured, "udpx (header not captured) [snapped]"
    end
    tree:add(f.magic, tvb(0, 1))
    local version = tvb(1, 1):uint()
    tree:add(f.version, tvb(1, 1))
    local kind = tvb(2, 1):uint()
    local type_item = tree:add(f.type, tvb(2, 1))
    local flags = tvb(3, 1):uint()
    local flags_item = tree:add(f.flags, tvb(3, 1))
    flags_item:add(f.flag_auth, tvb(3, 1))
    flags_item:add(f.flag_enc, tvb(3, 1))
    flags_item:add(f.flag_reserved, tvb(3, 1))
    -- Not verified: the checksum is XxHash3-64 (truncated to 32 bits) and Wireshark's Lua has no XxHash3;
    -- a hand-written one would be slow and is easy to get subtly wrong, so the field is shown as is.
    tree:add(f.checksum, tvb(4, 4)):append_text(" [not verified]")
    tree:add(f.session, tvb(8, 8))
    tree:add(f.pn, tvb(16, 8))
    local session = tvb(8, 8):uint64()
    local pn = tvb(16, 8):uint64()
    local where = string.format(", session %s, pn %s", session:tohex(), tostring(pn))

    if band(flags, 0xFC) ~= 0 then
        flags_item:add_proto_expert_info(e.protocol, "reserved flag bits set")
    end
    if version ~= VERSION then
        tree:add_proto_expert_info(e.malformed, string.format("protocol version %d; this dissector reads version %d", version, VERSION))
        tree:append_text(where)
        return captured, string.format("udpx version %d (not decoded)", version)
    end
    local body = dissect_body[kind]
    if not body then
        type_item:add_proto_expert_info(e.malformed, "unknown message type " .. kind)
        tree:append_text(where)
        return captured, "udpx unknown type " .. kind .. " [malformed]"
    end

    local authenticated = band(flags, FLAG_AUTH) ~= 0
    local encrypted = band(flags, FLAG_ENCRYPTED) ~= 0
    local limit = len
    local tag_field
    local broken = false
    if authenticated or encrypted then
        if len - TAG < HEADER then
            tree:add_proto_expert_info(e.malformed, "flags announce a 16-byte tag, but the datagram is too short for one")
            authenticated, encrypted, broken = false, false, true
        else
            limit = len - TAG
            -- An encrypted Data datagram carries the GCM tag in place of the HMAC tag.
            tag_field = encrypted and f.gcm_tag or f.tag
        end
    end
    if encrypted and kind ~= T.DATA then
        flags_item:add_proto_expert_info(e.protocol, "only Data payloads are encrypted; control datagrams are not")
    end
    if authenticated then
        tree:add_proto_expert_info(e.authenticated)
    end
    if encrypted then
        tree:add_proto_expert_info(e.encrypted)
    end

    local r = new_reader(tvb, pinfo, tree, limit, captured)
    local info = body(r, flags)
    if tag_field then
        if limit + TAG <= captured then
            tree:add(tag_field, tvb(limit, TAG))
        else
            r:not_captured()
        end
    end

    local summary = { chunk = r.chunk, payload = r.payload }
    local marks = {}
    if authenticated then
        marks[#marks + 1] = "authenticated"
    end
    if encrypted then
        marks[#marks + 1] = "encrypted"
    end
    if r.snapped then
        marks[#marks + 1] = "snapped"
    end
    if broken or (not r.ok and not r.snapped) then
        marks[#marks + 1] = "malformed"
    end
    if #marks > 0 then
        summary.marks = " [" .. table.concat(marks, ", ") .. "]"
        info = info .. summary.marks
    end
    tree:append_text(": " .. info .. where)
    return captured, info, summary
end

-- UDP GSO: udpx sends data in bundles of equal-sized datagrams that the kernel cuts up on the way out.
-- A capture on loopback (or on a veth whose device does not segment) holds the bundle whole: one UDP
-- datagram carrying several udpx Data datagrams back to back. Their size is not written anywhere, so it
-- is found as the first offset where a datagram of the same session starts again and repeats to the end.
local MAX_CANDIDATES = 64

local function gso_segment_size(tvb)
    local len = tvb:len()
    if not udpx.prefs.gso or len ~= tvb:reported_len() or len < 2 * (DATA_HEADER + 1) or tvb(2, 1):uint() ~= T.DATA or tvb(1, 1):uint() ~= VERSION then
        return nil
    end
    local raw = tvb:raw()
    local prefix, session = raw:sub(1, 4), raw:sub(9, 16)
    local function starts_at(off) -- off is 0-based
        return raw:sub(off + 1, off + 4) == prefix and raw:sub(off + 9, off + 16) == session
    end
    local candidates = 0
    local k = raw:find(prefix, DATA_HEADER + 2, true)
    while k and candidates < MAX_CANDIDATES do
        local size = k - 1
        if starts_at(size) then
            local off, ok = size, true
            while off < len do
                if len - off < DATA_HEADER + 1 or not starts_at(off) then
                    ok = false
                    break
                end
                off = off + size
            end
            if ok then
                return size
            end
        end
        candidates = candidates + 1
        k = raw:find(prefix, k + 1, true)
    end
    return nil
end

-- "0-44" for consecutive chunks, else the first few.
local function chunk_list(chunks)
    local consecutive = true
    for i = 2, #chunks do
        if chunks[i] ~= chunks[i - 1] + 1 then
            consecutive = false
            break
        end
    end
    if consecutive then
        return tostring(chunks[1]) .. "-" .. tostring(chunks[#chunks])
    end
    local parts = {}
    for i = 1, math.min(#chunks, 4) do
        parts[#parts + 1] = tostring(chunks[i])
    end
    return table.concat(parts, ", ") .. (#chunks > 4 and ", ..." or "")
end

local function dissect_datagrams(tvb, pinfo, tree)
    local size = gso_segment_size(tvb)
    if not size then
        local consumed, info = dissect(tvb, pinfo, tree)
        if consumed > 0 then
            pinfo.cols.protocol = "udpx"
            pinfo.cols.info = info
        end
        return consumed
    end
    local len, off = tvb:len(), 0
    local chunks, payload, marks, infos = {}, nil, "", {}
    while off < len do
        local n = math.min(size, len - off)
        local _, info, summary = dissect(tvb(off, n):tvb(), pinfo, tree)
        infos[#infos + 1] = info
        if summary and summary.chunk then
            chunks[#chunks + 1] = summary.chunk
            payload = payload or summary.payload
            marks = summary.marks or marks
        end
        off = off + n
    end
    pinfo.cols.protocol = "udpx"
    if #chunks == #infos then
        pinfo.cols.info = string.format("Data chunks %s (%d datagrams of %d B, GSO bundle)%s", chunk_list(chunks), #chunks, payload, marks)
    else
        pinfo.cols.info = table.concat(infos, "; ")
    end
    return len
end

function udpx.dissector(tvb, pinfo, tree)
    return dissect_datagrams(tvb, pinfo, tree)
end

local function heuristic(tvb, pinfo, tree)
    if not looks_like_udpx(tvb) then
        return false
    end
    dissect_datagrams(tvb, pinfo, tree)
    return true
end

udpx:register_heuristic("udp", heuristic)

local udp_port = DissectorTable.get("udp.port")
udp_port:add_for_decode_as(udpx)
local bound_port = 0

function udpx.prefs_changed()
    if bound_port ~= 0 then
        udp_port:remove(bound_port, udpx)
    end
    bound_port = udpx.prefs.port
    if bound_port ~= 0 then
        udp_port:add(bound_port, udpx)
    end
end
