package ui

import (
	"strings"
)

// render draws the screen as one string of exactly width × height cells.
func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	l := m.layout()
	if l.tooSmall {
		return tooSmallView(m.st, m.width, m.height)
	}
	if m.mode == modePicker {
		return m.picker.render(&m.st, m.renderFooter(), m.width, m.height)
	}
	parts := make([]string, 0, 6)
	parts = append(parts, m.renderHeader())
	for _, line := range m.alertLines() {
		parts = append(parts, fitLine(line, m.width))
	}
	if m.mode == modeHelp {
		body := l.list + l.lower
		parts = append(parts, renderFullHelp(m.st, m.keys.full(), m.width, body))
	} else {
		parts = append(parts, m.renderList(l), m.renderLower(l))
	}
	parts = append(parts, m.renderStatus(), m.renderFooter())
	return strings.Join(parts, "\n")
}

func (m *Model) renderHeader() string {
	h := headerInfo{
		service: m.env.service, vhost: m.env.vhost, watches: m.env.watches, paused: m.paused,
		scheme: m.env.scheme, insecure: m.env.insecure, readOnly: m.env.readOnly != nil,
	}
	if f := m.view.Filter(); f != nil {
		h.filter, h.matches, h.scanning = f.String(), m.list.total, m.view.Scanning()
	}
	return fitLine(renderHeader(h, &m.conns, &m.st, m.width), m.width)
}

func (m *Model) renderList(l layout) string {
	// Only rows up to the last sync: the store grows between frames, and a
	// paused list must not move.
	rows := m.view.Range(m.list.offset, min(l.list-1, m.list.total-m.list.offset))
	out := m.list.render(rows, m.width, &m.st, m.panes() == modeList, m.env.loc)
	return fitBlock(out, m.width, l.list)
}

func (m *Model) renderLower(l layout) string {
	if m.composeOpen() {
		return m.compose.render(m.env.vhost, m.width, l.lower, &m.st, m.mode == modeCompose, m.env.now())
	}
	e, pair := m.selected()
	return m.detail.render(e, pair, m.width, l.lower, &m.st, m.panes() == modeDetail)
}

func (m *Model) renderStatus() string {
	stats := m.env.store.Stats()
	var rec recordNote
	if m.env.record != nil {
		rec = m.env.record()
	}
	return renderStatus(statusInfo{
		overall: m.rates.overall, perQueue: m.rates.perQueue,
		count: stats.Count, evicted: stats.Evicted, record: rec, line: m.status,
	}, &m.st, m.width)
}

// renderFooter is the one-line help of the mode, as route names it.
func (m *Model) renderFooter() string {
	bindings := route(m.mode).footer(m.keys)
	return fitLine(" "+renderShortHelp(m.help, bindings, m.width-1), m.width)
}
