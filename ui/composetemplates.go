package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"mqscope/internal/textsafe"
)

// Templates in compose: ctrl+t asks for a name and saves the body under
// it, ctrl+o loads the next saved one, ctrl+x deletes the one loaded. The
// files are templates.go's.

// maxTemplateName bounds a template's name: it is shown on one line.
const maxTemplateName = 60

// saveTemplate asks for the name to save the body under, if it parses.
// With a template loaded, enter alone keeps its name (replacing it), and
// typing gives another.
func (m *Model) saveTemplate() tea.Cmd {
	c := &m.compose
	if c.value == nil {
		return m.setStatus("cannot save: the body does not parse", true)
	}
	in := textinput.New()
	in.Prompt = "save template as: "
	// The placeholder starts with "(": the cursor sits on its first
	// character, which must not read as typed text.
	in.Placeholder = "(type a name, e.g. user lookup)"
	if c.loaded != "" {
		in.Placeholder = fmt.Sprintf("(enter replaces %q, or type another name)", c.loaded)
	}
	in.CharLimit = maxTemplateName
	in.SetStyles(c.inputs[fieldQueue].Styles())
	c.naming = &in
	return tea.Batch(c.naming.Focus(), m.setStatus("enter saves the body under this name (a template of the same name is replaced) · esc cancels", false))
}

// namingKey types the template's name: enter saves, esc cancels.
func (m *Model) namingKey(msg tea.KeyPressMsg) tea.Cmd {
	c := &m.compose
	switch {
	case key.Matches(msg, m.keys.Back):
		c.naming = nil
		return m.setStatus("template not saved", false)
	case key.Matches(msg, m.keys.Apply):
		name := strings.TrimSpace(textsafe.Row(c.naming.Value()))
		if name == "" {
			name = c.loaded
		}
		if name == "" {
			return m.setStatus("type a name for the template (esc cancels)", true)
		}
		c.naming = nil
		return saveTemplateCmd(m.env.service, c.queue(), name, c.body.Value())
	}
	var cmd tea.Cmd
	*c.naming, cmd = c.naming.Update(msg)
	return cmd
}

// deleteTemplate deletes the template last loaded with ctrl+o. Its body
// stays in the editor, so ctrl+t can save it again.
func (m *Model) deleteTemplate() tea.Cmd {
	c := &m.compose
	if c.loaded == "" {
		return m.setStatus("no template loaded: ctrl+o loads one, then ctrl+x deletes it", true)
	}
	return deleteTemplateCmd(m.env.service, c.queue(), c.loaded)
}

// onTemplatesLoaded puts the next template in the editor, saying which.
func (m *Model) onTemplatesLoaded(msg templatesLoadedMsg) tea.Cmd {
	c := &m.compose
	switch {
	case msg.err != nil:
		return m.setStatus("templates: "+msg.err.Error(), true)
	case msg.queue != c.queue() || msg.service != m.env.service:
		return nil // the queue changed while loading
	case len(msg.templates) == 0:
		return m.setStatus(fmt.Sprintf("no templates saved for %s/%s (ctrl+t saves the body)", m.env.service, msg.queue), false)
	}
	c.templates = msg.templates
	i := c.tplIndex % len(c.templates)
	c.tplIndex = i + 1
	t := c.templates[i]
	c.body.SetValue(t.Body)
	c.loaded = t.Name
	c.source, c.sourceWarn = fmt.Sprintf("body from template %q", t.Name), false
	c.revalidate()
	return m.setStatus(fmt.Sprintf("template %q (%d of %d for %s) · ctrl+o next · ctrl+x deletes it", t.Name, i+1, len(c.templates), msg.queue), false)
}

// onTemplatesChanged reports a save or a delete.
func (m *Model) onTemplatesChanged(msg templatesChangedMsg) tea.Cmd {
	c := &m.compose
	switch {
	case msg.err != nil && msg.saved != "":
		return m.setStatus("template not saved: "+msg.err.Error(), true)
	case msg.err != nil:
		return m.setStatus("template not deleted: "+msg.err.Error(), true)
	}
	c.templates, c.tplIndex = msg.templates, 0
	if msg.deleted != "" {
		c.loaded = ""
		return m.setStatus(fmt.Sprintf("deleted template %q; its body stays in the editor (ctrl+t saves it again)", msg.deleted), false)
	}
	c.loaded = msg.saved
	verb := "saved"
	if msg.replaced {
		verb = "replaced"
	}
	return m.setStatus(fmt.Sprintf("template %q %s in %s", msg.saved, verb, msg.path), false)
}
