/**
 * Parses XML with a conforming parser — Python's expat, on every machine that builds the project
 * (better-sqlite3 needs python3) — so "well-formed" is not our own parser's opinion. Throws on
 * anything expat refuses.
 */
import { execFileSync } from 'node:child_process';

export interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  /** The element's own text (not its children's). */
  text: string;
  children: XmlNode[];
}

const SCRIPT = `
import sys, json
from xml.dom import minidom
doc = minidom.parseString(sys.stdin.buffer.read())
def node(e):
    return {"tag": e.tagName, "attrs": dict(e.attributes.items()),
            "text": "".join(c.data for c in e.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE)),
            "children": [node(c) for c in e.childNodes if c.nodeType == c.ELEMENT_NODE]}
print(json.dumps(node(doc.documentElement)))
`;

export function parseXml(xml: string): XmlNode {
  return JSON.parse(
    execFileSync('python3', ['-c', SCRIPT], {
      input: Buffer.from(xml, 'utf8'),
      maxBuffer: 256 * 1024 * 1024,
    }).toString(),
  );
}
