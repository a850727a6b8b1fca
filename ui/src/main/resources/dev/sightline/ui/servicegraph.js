// The service graph as a node-link drawing: services in columns by how many calls deep they are from a service
// nobody calls, an arrow per client -> server edge labelled with its requests and failures. Nodes are links to the
// service's traces, so the drawing is reachable with the keyboard.
import { serviceHue } from './waterfall.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 150;
const NODE_H = 34;
const COL_GAP = 110;
const ROW_GAP = 26;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  // A style through the CSSOM, as dom.js's h(): the Content-Security-Policy blocks style attributes.
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

/**
 * Column of each node: the longest chain of calls leading to it (a cycle is cut where it closes), so callers
 * stand left of what they call.
 */
export function columns(nodes, edges) {
  const depth = new Map(nodes.map((n) => [n, 0]));
  // Relaxing every edge at most nodes.length times settles any acyclic graph; a cycle stops at the bound.
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const { client, server } of edges) {
      if (client !== server && depth.get(server) < depth.get(client) + 1 && depth.get(client) + 1 < nodes.length) {
        depth.set(server, depth.get(client) + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}

/**
 * Draws edges [{client, server, requests, failed}] into container (replacing what it held). A node links to
 * `/traces?service=<name>`.
 */
export function drawServiceGraph(container, edges) {
  const nodes = [...new Set(edges.flatMap((e) => [e.client, e.server]))].sort();
  const depth = columns(nodes, edges);
  const byColumn = [];
  for (const n of nodes) (byColumn[depth.get(n)] ??= []).push(n);
  const at = new Map();
  byColumn.forEach((col, c) => col.forEach((n, r) => at.set(n, { x: 10 + c * (NODE_W + COL_GAP), y: 10 + r * (NODE_H + ROW_GAP) })));
  const width = 20 + byColumn.length * (NODE_W + COL_GAP) - COL_GAP;
  const height = 20 + Math.max(...byColumn.map((c) => c?.length ?? 0)) * (NODE_H + ROW_GAP) - ROW_GAP;

  const arrow = svg('marker', { id: 'sg-arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'sg-arrowhead' }));
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Service graph', class: 'service-graph' },
    svg('defs', {}, arrow));

  for (const e of edges) {
    const a = at.get(e.client);
    const b = at.get(e.server);
    const failed = e.failed > 0;
    const label = `${formatCount(e.requests)} req${failed ? ` · ${((100 * e.failed) / Math.max(e.requests, e.failed)).toFixed(1)}% failed` : ''}`;
    let d;
    let lx;
    let ly;
    if (e.client === e.server) {
      // A service calling itself: a loop above its node.
      d = `M${a.x + NODE_W * 0.35},${a.y} C${a.x + NODE_W * 0.35},${a.y - 30} ${a.x + NODE_W * 0.65},${a.y - 30} ${a.x + NODE_W * 0.65},${a.y}`;
      lx = a.x + NODE_W / 2;
      ly = a.y - 24;
    } else {
      const forward = b.x > a.x;
      const x1 = forward ? a.x + NODE_W : a.x + NODE_W / 2;
      const y1 = forward ? a.y + NODE_H / 2 : a.y + NODE_H;
      const x2 = forward ? b.x : b.x + NODE_W / 2;
      const y2 = forward ? b.y + NODE_H / 2 : b.y;
      const mx = (x1 + x2) / 2;
      d = forward ? `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}` : `M${x1},${y1} L${x2},${y2}`;
      lx = mx;
      ly = (y1 + y2) / 2 - 5;
    }
    root.append(svg('g', { class: `sg-edge${failed ? ' failed' : ''}`, 'data-client': e.client, 'data-server': e.server },
      svg('path', { d, 'marker-end': 'url(#sg-arrow)' }),
      svg('text', { x: lx, y: ly, 'text-anchor': 'middle' }, label)));
  }
  for (const n of nodes) {
    const { x, y } = at.get(n);
    const link = svg('a', { href: `/traces?service=${encodeURIComponent(n)}`, class: 'sg-node', 'data-service': n },
      svg('title', {}, `Traces of ${n}`),
      svg('rect', { x, y, width: NODE_W, height: NODE_H, rx: 6, style: `--svc-hue: ${serviceHue(n)}` }),
      svg('text', { x: x + NODE_W / 2, y: y + NODE_H / 2 + 5, 'text-anchor': 'middle' }, n.length > 20 ? `${n.slice(0, 19)}…` : n));
    root.append(link);
  }
  container.replaceChildren(root);
}

function formatCount(n) {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(2)));
}
