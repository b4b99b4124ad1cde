#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses: tests/fuzz/corpus/<harness>/.

The seeds are small, well-formed examples of each input (taken from the unit
tests, docs/ and config/), from which the fuzzer mutates. Run it again after
changing a seed here; the files are committed, so nothing runs it in CI.
Usage: tests/fuzz/make_corpus.py
"""
import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, 'corpus')


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def j(value):
    return json.dumps(value, separators=(',', ':'))


def tile(tid, x, y, w=1, h=1, source=None):
    t = {'id': tid, 'x': x, 'y': y, 'w': w, 'h': h}
    if source:
        t['source'] = source
    return t


LAYOUT = {'columns': 2, 'rows': 2, 'tiles': [tile('t1', 0, 0, source='cam1'), tile('t2', 1, 0),
                                             tile('t3', 0, 1), tile('t4', 1, 1, source='feed')]}


# ---- fuzz_ws_request: frames separated by '\n' ----
def ws():
    frames = {
        'ping': [{'op': 'ping', 'id': 1}],
        'snapshot': [{'op': 'snapshot', 'id': 2}],
        'apply': [{'op': 'layout.apply', 'id': 3, 'wall': 'main', 'version': 1, 'layout': LAYOUT}],
        'set_source': [{'op': 'tile.set_source', 'id': 4, 'wall': 'main', 'version': 1,
                        'tile': 't2', 'source': 'cam2'},
                       {'op': 'tile.set_source', 'id': 5, 'wall': 'main', 'version': 2,
                        'tile': 't2', 'source': None}],
        'split_merge': [{'op': 'tile.split', 'id': 6, 'wall': 'main', 'version': 1, 'tile': 't1',
                         'columns': 2, 'rows': 2},
                        {'op': 'tile.merge', 'id': 7, 'wall': 'side', 'version': 1,
                         'tiles': ['s1']}],
        'resize_swap': [{'op': 'tile.resize', 'id': 8, 'wall': 'main', 'version': 1,
                         'tile': 't1', 'x': 0, 'y': 0, 'w': 1, 'h': 1},
                        {'op': 'tile.swap', 'id': 9, 'wall': 'main', 'version': 2, 'a': 't1',
                         'b': 't4'},
                        {'op': 'wall.clear', 'id': 10, 'wall': 'side', 'version': 1}],
        'presets': [{'op': 'preset.save', 'id': 11, 'wall': 'main', 'name': 'Pagi'},
                    {'op': 'preset.save', 'id': 12, 'wall': 'main', 'name': 'Pagi',
                     'overwrite': True},
                    {'op': 'preset.rename', 'id': 13, 'preset': 'p1', 'name': 'Malam'},
                    {'op': 'preset.recall', 'id': 14, 'wall': 'side', 'version': 1,
                     'preset': 'p1'},
                    {'op': 'preset.delete', 'id': 15, 'preset': 'p1'}],
        'alarms': [{'op': 'alarm.list', 'id': 16},
                   {'op': 'alarm.show', 'id': 17, 'alarm': 'a1', 'wall': 'side', 'tile': 's1'},
                   {'op': 'alarm.ack', 'id': 18, 'alarm': 'a1'}],
        'presentation': [{'op': 'presentation.list', 'id': 19},
                         {'op': 'presentation.start', 'id': 20, 'presentation': 'demo',
                          'wall': 'main', 'rehearsal': False},
                         {'op': 'presentation.next', 'id': 21, 'wall': 'main'},
                         {'op': 'presentation.goto', 'id': 22, 'wall': 'main', 'step': 0},
                         {'op': 'presentation.prev', 'id': 23, 'wall': 'main'},
                         {'op': 'presentation.stop', 'id': 24, 'wall': 'main'}],
        'misc': [{'op': 'auth.whoami', 'id': 25}, {'op': 'audit.query', 'id': 26, 'limit': 5},
                 {'op': 'subscribe', 'id': 27, 'sources': ['cam1']}, {'op': 'nope', 'id': 28},
                 {'id': 29}, [1, 2]],
    }
    for name, reqs in frames.items():
        put('fuzz_ws_request', name, '\n'.join(j(r) for r in reqs))
    put('fuzz_ws_request', 'bad_json', '{"op": "ping", "id": 1')


# ---- fuzz_config: whole configuration files ----
def config():
    for src in ['config/pantau.json', 'config/examples/two-walls.json']:
        with open(os.path.join(ROOT, src), 'rb') as f:
            put('fuzz_config', os.path.basename(src), f.read())
    wall = {'id': 'main', 'name': 'Main', 'displays': {'columns': 2, 'rows': 1, 'width': 1920,
                                                       'height': 1080, 'bezel': {'x': 8, 'y': 0}},
            'layout': LAYOUT}
    full = {
        'server': {'listen': '0.0.0.0', 'port': 8080, 'state_dir': 'state',
                   'stream_grace_ms': 5000},
        'plugins': {'dir': 'plugins', 'load': ['cctv', 'traffic']},
        'sources': [{'id': 'cam1', 'type': 'cctv.rtsp', 'name': 'Cam 1',
                     'settings': {'url': 'rtsp://admin:pw@10.0.0.2/1'}},
                    {'id': 'cam2', 'type': 'cctv.test'}, {'id': 'feed', 'type': 'traffic.feed'}],
        'walls': [wall],
        'auth': {'users': [{'name': 'ana', 'role': 'admin', 'password_hash':
                            '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo'},
                           {'name': 'op', 'role': 'operator', 'walls': ['main'],
                            'password_hash': '$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA'}],
                 'viewer_tokens': [{'name': 'wall-pc-1', 'token_sha256':
                                    '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
                                    'walls': ['main']}]},
        'audit': {'file': 'audit.jsonl', 'enabled': True},
        'alarms': {'debounce_s': 3, 'rules': [
            {'id': 'r1', 'match': {'source': 'cam1', 'severity_at_least': 'critical'},
             'action': {'wall': 'main', 'show': 'cam1'}, 'until': 'ack', 'priority': 50},
            {'id': 'r2', 'match': {'condition': 'traffic.jammed.*'},
             'action': {'wall': 'main', 'show': 'cam2', 'tile': 't2'}, 'until': 'clear'},
            {'id': 'r3', 'match': {'condition': 'x'}, 'action': {'wall': 'main', 'preset': 'P'},
             'until': 30}]},
        'presentations': [{'id': 'brief', 'name': {'en': 'Brief', 'id': 'Singkat'}, 'steps': [
            {'preset': 'P', 'caption': {'en': 'One'}, 'notes': 'n', 'dwell_s': 60},
            {'layout': {'columns': 1, 'rows': 1, 'tiles': [tile('a', 0, 0, source='cam1')]},
             'caption': 'Two'}]}],
    }
    put('fuzz_config', 'full.json', json.dumps(full, indent=1))
    anon = {'server': {'listen': '::'}, 'auth': {'anonymous_role': 'viewer'}, 'sources': [],
            'walls': [dict(wall, layout={'columns': 1, 'rows': 1, 'tiles': []})]}
    put('fuzz_config', 'anonymous.json', json.dumps(anon, indent=1))
    put('fuzz_config', 'errors.json', '{"server": {"port": "x"}, "walls": [], "extra": 1}')


# ---- fuzz_state: a wall state, the presets, a takeover ----
def state():
    put('fuzz_state', 'wall.json', j({'version': 7, 'layout': LAYOUT}))
    put('fuzz_state', 'presets.json', j({'next_id': 3, 'presets': [
        {'id': 'p1', 'name': 'Pagi', 'layout': LAYOUT},
        {'id': 'p2', 'name': 'Malam', 'layout': {'columns': 1, 'rows': 1, 'tiles': []}}]}))
    put('fuzz_state', 'takeover.json', j({'version': 1, 'original': LAYOUT}))


# ---- H.264 ----
SPS = bytes([0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x16, 0xa0, 0xc0,
             0xc0, 0xd4, 0xa0, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x07, 0x91, 0xe2,
             0xc5, 0xc9])
SPS_HIGH = bytes([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0,
                  0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf0, 0x3c,
                  0x60, 0xc6, 0x58])
PPS = bytes([0x68, 0xcb, 0x8c, 0xb2])
IDR = bytes([0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x10, 0x20])
PFRAME = bytes([0x41, 0x9a, 0x02, 0x04])
AUD = bytes([0x09, 0x10])
SC4, SC3 = b'\0\0\0\1', b'\0\0\1'


def h264():
    put('fuzz_h264', 'idr_baseline', SC4 + AUD + SC4 + SPS + SC4 + PPS + SC3 + IDR)
    put('fuzz_h264', 'idr_high', SC4 + SPS_HIGH + SC4 + PPS + SC4 + IDR)
    put('fuzz_h264', 'pframe', SC3 + AUD + SC3 + PFRAME)


# ---- H.265 (x265 parameter sets: pantau-test-rtsp's test265:320x180 SDP) ----
VPS265 = base64.b64decode('QAEMAf//AWAAAAMAkAAAAwAAAwA8ugJA')
SPS265 = base64.b64decode('QgEBAWAAAAMAkAAAAwAAAwA8oAoIDB8+W6Skwv/wABAAFqDAwMCAAAADAIAAAAUE')
PPS265 = base64.b64decode('RAHAcYMS')
IDR265 = bytes([0x26, 0x01, 0xaf, 0x06, 0x38, 0x5b, 0x10, 0x22])
TRAIL265 = bytes([0x02, 0x01, 0xd0, 0x09, 0x78, 0x81])
SEI265 = bytes([0x4e, 0x01, 0x05, 0x01, 0x80])
AUD265 = bytes([0x46, 0x01, 0x50])


def h265():
    put('fuzz_h265', 'idr', SC4 + VPS265 + SC4 + SPS265 + SC4 + PPS265 + SC3 + SEI265 + SC4 + IDR265)
    put('fuzz_h265', 'trail', SC4 + AUD265 + SC3 + TRAIL265)
    put('fuzz_h265', 'sps_alone', SPS265)


# ---- RTSP messages and SDP ----
SDP = ('v=0\r\no=- 1188340656180883 1 IN IP4 127.0.0.1\r\ns=Session\r\nt=0 0\r\n'
       'a=control:*\r\nm=audio 0 RTP/AVP 0\r\na=control:stream=9\r\n'
       'm=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 H264/90000\r\n'
       'a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;'
       'sprop-parameter-sets=Z0LAHtoCgA==,aM48gA==\r\na=control:stream=0\r\n'
       'm=video 0 RTP/AVP 97\r\na=rtpmap:97 H265/90000\r\n')


def rtsp():
    put('fuzz_rtsp_message', 'describe_ok',
        'RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Base: rtsp://cam/live/\r\n'
        'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' % (len(SDP), SDP))
    put('fuzz_rtsp_message', 'setup_ok',
        'RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 1234ABCD;timeout=30\r\n'
        'Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n'
        'RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: 1234ABCD\r\n\r\n')
    put('fuzz_rtsp_message', 'unauthorized',
        'RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Basic realm="b"\r\n'
        'WWW-Authenticate: Digest realm="d", nonce="1", algorithm=MD5-sess\r\n'
        'WWW-Authenticate: Digest realm="d", nonce="2", algorithm=SHA-256, qop="auth", '
        'opaque="o", stale=TRUE\r\n\r\n')
    put('fuzz_rtsp_message', 'digest_md5',
        'RTSP/1.0 401 Unauthorized\nCSeq: 1\nWWW-Authenticate: Digest realm="r", nonce="n"\n'
        'Content-Length: 2\n\nok')
    put('fuzz_rtsp_message', 'interleaved',
        b'$\x00\x00\x04\x80\x60\x00\x01' + b'\r\nOPTIONS * RTSP/1.0\r\nCSeq: 7\r\n\r\n'
        b'RTSP/1.0 404 Not Found\r\nCSeq: 8\r\nLocation: rtsp://other/\r\n\r\n')
    put('fuzz_sdp', 'gstreamer', SDP)
    put('fuzz_sdp', 'h265', 'v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H265/90000\na=control:t\n')
    put('fuzz_sdp', 'two_formats',
        'v=0\r\nm=video 0 RTP/SAVP 98 96\r\na=rtpmap:98 VP8/90000\r\na=rtpmap:96 H264/90000\r\n'
        'a=fmtp:96 packetization-mode=0\r\na=control:rtsp://cam/abs\r\n')
    put('fuzz_sdp', 'static_pt', 'v=0\r\nm=video 0 RTP/AVP 26\r\n')
    put('fuzz_sdp', 'h265_sprop',
        'v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\na=fmtp:96 '
        'sprop-vps=%s;sprop-sps=%s;sprop-pps=%s;sprop-max-don-diff=0\r\na=control:stream=0\r\n'
        % tuple(base64.b64encode(x).decode() for x in (VPS265, SPS265, PPS265)))


# ---- RTP: flag byte, then (2-byte length, packet)... ----
def rtp_packet(seq, ts, payload, marker=False, pt=96):
    return struct.pack('>BBHII', 0x80, (0x80 if marker else 0) | pt, seq, ts, 0x1234) + payload


def framed(flag, packets):
    return bytes([flag]) + b''.join(struct.pack('>H', len(p)) + p for p in packets)


def rtp():
    single = [rtp_packet(1, 3000, SPS), rtp_packet(2, 3000, PPS),
              rtp_packet(3, 3000, IDR, marker=True), rtp_packet(4, 6000, PFRAME, marker=True)]
    put('fuzz_rtp_depay', 'single_nal', framed(0, single))
    stap = b'\x18' + b''.join(struct.pack('>H', len(n)) + n for n in (SPS, PPS))
    fu = [b'\x7c\x85' + IDR[1:4], b'\x7c\x05' + IDR[4:6], b'\x7c\x45' + IDR[6:]]
    pkts = [rtp_packet(10, 9000, stap)] + [rtp_packet(11 + i, 9000, p, marker=(i == 2))
                                          for i, p in enumerate(fu)]
    put('fuzz_rtp_depay', 'stap_fu', framed(0, pkts))
    put('fuzz_rtp_depay', 'sdp_sets', framed(1, [rtp_packet(1, 100, IDR, marker=True),
                                                 rtp_packet(3, 200, PFRAME, marker=True)]))
    ext = bytes([0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 1, 2, 3, 4]) + IDR
    put('fuzz_rtp_depay', 'extension', framed(0, [ext]))


def rtp_h265():
    def ap(*nals):
        return bytes([48 << 1, 1]) + b''.join(struct.pack('>H', len(n)) + n for n in nals)

    def fu(nal, chunk, start, end):
        return bytes([(nal[0] & 0x81) | 49 << 1, nal[1],
                      (0x80 if start else 0) | (0x40 if end else 0) | (nal[0] >> 1) & 0x3f]) + chunk
    single = [rtp_packet(1, 3000, VPS265), rtp_packet(2, 3000, SPS265),
              rtp_packet(3, 3000, PPS265), rtp_packet(4, 3000, IDR265, marker=True),
              rtp_packet(5, 6000, TRAIL265, marker=True)]
    put('fuzz_rtp_h265_depay', 'single_nal', framed(0, single))
    frags = [fu(IDR265, IDR265[2:4], True, False), fu(IDR265, IDR265[4:6], False, False),
             fu(IDR265, IDR265[6:], False, True)]
    pkts = [rtp_packet(10, 9000, ap(VPS265, SPS265, PPS265, SEI265))] + \
        [rtp_packet(11 + i, 9000, p, marker=(i == 2)) for i, p in enumerate(frags)]
    put('fuzz_rtp_h265_depay', 'ap_fu', framed(0, pkts))
    put('fuzz_rtp_h265_depay', 'sdp_sets', framed(1, [rtp_packet(1, 100, IDR265, marker=True),
                                                      rtp_packet(3, 200, TRAIL265, marker=True)]))


# ---- dchealth ----
PROM = '''# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.42
node_filesystem_avail_bytes{device="/dev/vda1",fstype="ext4",mountpoint="/"} 1.8e+10
node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 4.1e+08
node_network_up{device="eth0",operstate="up"} 1
node_network_up{device="lo",operstate="unknown"} 0
metric_with_escapes{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} +Inf 1700000000000
nan_metric NaN
'''


def dch():
    put('fuzz_prom', 'node_exporter', PROM)
    put('fuzz_prom', 'crlf_no_final_newline', 'a{b="c"} 1\r\nb -Inf\r\nc 3')
    put('fuzz_nut', 'list_var',
        'BEGIN LIST VAR ups1\nVAR ups1 battery.charge "87"\nVAR ups1 battery.runtime "1800"\n'
        'VAR ups1 device.model "Smart \\"UPS\\" 1500"\nVAR ups1 ups.load "23.5"\n'
        'VAR ups1 ups.status "OB DISCHRG LB"\nEND LIST VAR ups1\n')
    put('fuzz_nut', 'login_crlf',
        'OK\r\nOK\r\nBEGIN LIST VAR ups1\r\nVAR ups1 ups.status "OL CHRG"\r\n'
        'END LIST VAR ups1\r\nOK Goodbye\r\n')
    put('fuzz_nut', 'err', 'BEGIN LIST VAR ups1\nERR DATA-STALE\n')


# ---- services and traffic ----
def feeds():
    tickets = [{'id': 'K-1', 'title': 'Lampu mati', 'status': 'baru', 'agency': 'Dishub',
                'channel': 'web', 'created': '2024-05-02T08:30:00+07:00'},
               {'id': 'K-2', 'title': 'Jalan rusak', 'status': 'diproses', 'agency': 'PU',
                'channel': 'sms', 'created': 1714600000000},
               {'id': 'K-3', 'status': 'closed', 'created': '2024-05-15 08:30'},
               {'id': 'K-4', 'status': 'forwarded', 'created': '2024-04-01'}]
    put('fuzz_tickets_json', 'list', j({'tickets': tickets}))
    put('fuzz_tickets_json', 'root', j(tickets[:2]))
    put('fuzz_tickets_csv', 'comma_bom',
        '\ufeffId,Title,Status,Agency,Channel,Created\r\n'
        'K-1,"Lampu ""mati"", gang 3",baru,Dishub,web,2024-05-02T08:30:00+07:00\r\n'
        'K-2,Jalan,in progress,PU,sms,1714600000000\r\n')
    put('fuzz_tickets_csv', 'semicolon',
        'created;status;id;note\n2024-05-15;baru;K-1;a\n2024-04-01;selesai;K-2;"x\ny"\n')
    corridors = [{'id': 'dago', 'name': 'Jl. Dago', 'count': 420, 'speed': 12.5,
                  'level': 'macet'},
                 {'id': 'asia', 'name': 'Asia Afrika', 'count': 90, 'speed': 41, 'level': 0},
                 {'id': 'pasteur', 'count': '7', 'speed': None, 'level': 'yellow'}]
    put('fuzz_traffic_feed', 'corridors', j({'corridors': corridors}))
    put('fuzz_traffic_feed', 'root_mapping',
        j([{'kode': 'A1', 'info': {'nama': 'Simpang'}, 'volume': 10, 'kecepatan': 20},
           {'kode': 'A2', 'info': {'nama': 'Lima'}, 'volume': 3, 'kecepatan': 55.5}]))


# ---- ONVIF: SOAP replies of cameras and WS-Discovery answers ----
def soap(body, prefix='env', extra=''):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s:Envelope xmlns:%s='
            '"http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema"'
            '%s><%s:Body>%s</%s:Body></%s:Envelope>' % (prefix, prefix, extra, prefix, body,
                                                        prefix, prefix))


def onvif():
    put('fuzz_onvif', 'date_time', soap(
        '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time>'
        '<tt:Hour>7</tt:Hour><tt:Minute>50</tt:Minute><tt:Second>45</tt:Second></tt:Time><tt:Date>'
        '<tt:Year>2026</tt:Year><tt:Month>12</tt:Month><tt:Day>3</tt:Day></tt:Date></tt:UTCDateTime>'
        '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'))
    put('fuzz_onvif', 'capabilities', soap(
        '<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>'
        'http://10.0.0.5/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>'
        'http://10.0.0.5/onvif/Media</tt:XAddr></tt:Media><tt:PTZ><tt:XAddr>'
        'http://10.0.0.5/onvif/PTZ</tt:XAddr></tt:PTZ></tds:Capabilities>'
        '</tds:GetCapabilitiesResponse>'))
    put('fuzz_onvif', 'device_info', soap(
        '<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>'
        '<tds:Model>DS-2DE4425IW-DE</tds:Model><tds:FirmwareVersion>V5.6.15</tds:FirmwareVersion>'
        '<tds:SerialNumber>DS-2DE4425IW-DE20200101</tds:SerialNumber><tds:HardwareId>88'
        '</tds:HardwareId></tds:GetDeviceInformationResponse>'))
    put('fuzz_onvif', 'nodes', soap(
        '<tptz:GetNodesResponse><tptz:PTZNode token="node0"><tt:SupportedPTZSpaces>'
        '<tt:ContinuousPanTiltVelocitySpace/><tt:RelativePanTiltTranslationSpace/>'
        '<tt:AbsoluteZoomPositionSpace/></tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>300'
        '</tt:MaximumNumberOfPresets><tt:HomeSupported>true</tt:HomeSupported></tptz:PTZNode>'
        '</tptz:GetNodesResponse>'))
    put('fuzz_onvif', 'profiles', soap(
        '<trt:GetProfilesResponse><trt:Profiles token="Profile_1" fixed="true"><tt:Name>mainStream'
        '</tt:Name><tt:VideoEncoderConfiguration token="V1"><tt:Encoding>H264</tt:Encoding>'
        '<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>'
        '</tt:VideoEncoderConfiguration><tt:PTZConfiguration token="PTZ"/></trt:Profiles>'
        '<trt:Profiles token="Profile_2"><tt:Name>subStream</tt:Name></trt:Profiles>'
        '</trt:GetProfilesResponse>', 'SOAP-ENV'))
    put('fuzz_onvif', 'stream_uri', soap(
        '<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://10.0.0.5:554/cam/realmonitor?'
        'channel=1&amp;subtype=0</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>'))
    put('fuzz_onvif', 'status', soap(
        '<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x="0.25" y="-1"/>'
        '<tt:Zoom x="1E-1"/></tt:Position><tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt>'
        '</tt:MoveStatus></tptz:PTZStatus></tptz:GetStatusResponse>'))
    put('fuzz_onvif', 'presets', soap(
        '<tptz:GetPresetsResponse><tptz:Preset token="1"><tt:Name>Gerbang Tol</tt:Name>'
        '<tt:PTZPosition><tt:PanTilt x="0.1" y="0.2"/><tt:Zoom x="0"/></tt:PTZPosition>'
        '</tptz:Preset><tptz:Preset token="2"/></tptz:GetPresetsResponse>'
        '<tptz:SetPresetResponse><tptz:PresetToken>3</tptz:PresetToken></tptz:SetPresetResponse>'))
    put('fuzz_onvif', 'fault12', soap(
        '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>'
        'ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason><env:Text '
        'xml:lang="en">Sender not Authorized</env:Text></env:Reason></env:Fault>'))
    put('fuzz_onvif', 'fault11',
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        '<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>'
        'No such preset</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>')
    put('fuzz_onvif', 'probe_matches',
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="a" xmlns:d="d">'
        '<e:Header><w:RelatesTo>uuid:fuzz</w:RelatesTo></e:Header><e:Body><d:ProbeMatches>'
        '<d:ProbeMatch><w:EndpointReference><w:Address>urn:uuid:1</w:Address>'
        '</w:EndpointReference><d:Scopes>onvif://www.onvif.org/name/Simpang%20Lima '
        'onvif://www.onvif.org/hardware/DS-2DE4425IW</d:Scopes><d:XAddrs>'
        'http://10.0.0.5/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches>'
        '</e:Body></e:Envelope>')


def fmp4():
    """Recorded segments as mp4mux writes them (made with gst-launch-1.0):
    H.264 at 2 fps in fragments of 400 ms, one frame each (the sizes in
    tfhd, a trun with no field per sample), and H.265 in fragments of
    several frames."""
    pipelines = {
        'h264_one_frame_fragments': 'videotestsrc num-buffers=4 ! video/x-raw,width=64,height=48,framerate=2/1 '
        '! x264enc key-int-max=2 tune=zerolatency ! h264parse ! mp4mux fragment-duration=400 streamable=true',
        'h265_fragments': 'videotestsrc num-buffers=6 ! video/x-raw,width=64,height=48,framerate=10/1 '
        '! x265enc key-int-max=3 ! h265parse ! mp4mux fragment-duration=300 streamable=true',
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, pipeline in pipelines.items():
            out = os.path.join(tmp, name)
            subprocess.run(['gst-launch-1.0', '-q'] + pipeline.split() + ['!', 'filesink', f'location={out}'],
                           check=True)
            with open(out, 'rb') as f:
                put('fuzz_fmp4', name, f.read())


def main():
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    for make in (ws, config, state, h264, h265, rtsp, rtp, rtp_h265, dch, feeds, onvif, fmp4):
        make()


if __name__ == '__main__':
    main()
