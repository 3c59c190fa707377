-- Minimal HEPv3 dissector for tests (tshark 4.0 has none): fields hep.*, and chunk 15 handed to tshark's own SIP
-- dissector when chunk 11 says SIP. Load with: tshark -X lua_script:tests/helpers/hep.lua -d udp.port==9060,hep
local hep = Proto("hep", "HEPv3 (test dissector)")
local f = {
  ip_family = ProtoField.uint8("hep.ip_family", "IP family"),
  ip_proto = ProtoField.uint8("hep.ip_proto", "IP protocol"),
  src_ip = ProtoField.ipv4("hep.src_ip", "Source IPv4"),
  dst_ip = ProtoField.ipv4("hep.dst_ip", "Destination IPv4"),
  src_ip6 = ProtoField.ipv6("hep.src_ip6", "Source IPv6"),
  dst_ip6 = ProtoField.ipv6("hep.dst_ip6", "Destination IPv6"),
  src_port = ProtoField.uint16("hep.src_port", "Source port"),
  dst_port = ProtoField.uint16("hep.dst_port", "Destination port"),
  time_sec = ProtoField.uint32("hep.time_sec", "Seconds"),
  time_usec = ProtoField.uint32("hep.time_usec", "Microseconds"),
  proto_type = ProtoField.uint8("hep.proto_type", "Protocol type"),
  capture_id = ProtoField.uint32("hep.capture_id", "Capture id"),
  auth_key = ProtoField.string("hep.auth_key", "Auth key"),
  payload = ProtoField.bytes("hep.payload", "Payload"),
  correlation_id = ProtoField.string("hep.correlation_id", "Correlation id"),
  node_name = ProtoField.string("hep.node_name", "Node name"),
  unknown = ProtoField.uint16("hep.unknown_chunk", "Unknown chunk type"),
}
hep.fields = { f.ip_family, f.ip_proto, f.src_ip, f.dst_ip, f.src_ip6, f.dst_ip6, f.src_port, f.dst_port, f.time_sec,
  f.time_usec, f.proto_type, f.capture_id, f.auth_key, f.payload, f.correlation_id, f.node_name, f.unknown }
local by_type = { [1] = f.ip_family, [2] = f.ip_proto, [3] = f.src_ip, [4] = f.dst_ip, [5] = f.src_ip6,
  [6] = f.dst_ip6, [7] = f.src_port, [8] = f.dst_port, [9] = f.time_sec, [10] = f.time_usec, [11] = f.proto_type,
  [12] = f.capture_id, [14] = f.auth_key, [15] = f.payload, [17] = f.correlation_id, [19] = f.node_name }
local sip = Dissector.get("sip")

function hep.dissector(buf, pinfo, tree)
  if buf:len() < 6 or buf(0, 4):string() ~= "HEP3" then return 0 end
  local total = buf(4, 2):uint()
  if total > buf:len() then return 0 end
  pinfo.cols.protocol = "HEP3"
  local subtree = tree:add(hep, buf(0, total))
  local offset, proto_type, payload = 6, -1, nil
  while offset + 6 <= total do
    local ctype, clen = buf(offset + 2, 2):uint(), buf(offset + 4, 2):uint()
    if clen < 6 or offset + clen > total then break end
    local value = buf(offset + 6, clen - 6)
    local field = by_type[ctype]
    if field == nil then subtree:add(f.unknown, buf(offset + 2, 2)) else subtree:add(field, value) end
    if ctype == 11 then proto_type = value:uint() end
    if ctype == 15 then payload = value end
    offset = offset + clen
  end
  if payload ~= nil and proto_type == 1 then sip:call(payload:tvb(), pinfo, tree) end
  return total
end

DissectorTable.get("udp.port"):add(9060, hep)
