/**
 * The canvas's viewport: fit the nodes at a legible zoom (flowLayout.ts) once React Flow has measured them, and pan a
 * selected node that the config form pushed out of view back in.
 */
import { useReactFlow } from '@xyflow/react';
import React, { useEffect } from 'react';

import { legibleViewport } from './flowLayout';

export function useLegibleViewport(
  canvasRef: React.RefObject<HTMLDivElement | null>,
  selected: string | null
): (tries?: number) => void {
  const { flowToScreenPosition, getInternalNode, getNodes, getZoom, setCenter, setViewport } =
    useReactFlow();
  // A few frames at most until every node is measured.
  const fitLegibly = (tries = 30) => {
    const rect = canvasRef.current?.getBoundingClientRect();
    const nodes = getNodes().flatMap(n => getInternalNode(n.id) ?? []);
    if (!rect || !nodes.length) {
      return;
    }
    if (nodes.some(n => !n.measured?.width) && tries > 0) {
      requestAnimationFrame(() => fitLegibly(tries - 1));
      return;
    }
    const boxes = nodes.map(n => {
      const { x, y } = n.internals.positionAbsolute;
      return { x, y, r: x + (n.measured?.width ?? 180), b: y + (n.measured?.height ?? 60) };
    });
    const x = Math.min(...boxes.map(b => b.x));
    const y = Math.min(...boxes.map(b => b.y));
    const bounds = {
      x,
      y,
      width: Math.max(...boxes.map(b => b.r)) - x,
      height: Math.max(...boxes.map(b => b.b)) - y
    };
    void setViewport(legibleViewport(bounds, rect.width, rect.height));
  };
  useEffect(() => {
    if (!selected) {
      return;
    }
    const timer = setTimeout(() => {
      const node = getInternalNode(selected);
      const rect = canvasRef.current?.getBoundingClientRect();
      if (!node || !rect) {
        return;
      }
      const { x, y } = node.internals.positionAbsolute;
      const w = node.measured?.width ?? 180;
      const h = node.measured?.height ?? 60;
      const tl = flowToScreenPosition({ x, y });
      const br = flowToScreenPosition({ x: x + w, y: y + h });
      if (tl.x < rect.left || br.x > rect.right || tl.y < rect.top || br.y > rect.bottom) {
        void setCenter(x + w / 2, y + h / 2, { zoom: getZoom(), duration: 200 });
      }
    }, 80);
    return () => clearTimeout(timer);
  }, [selected]);

  return fitLegibly;
}
