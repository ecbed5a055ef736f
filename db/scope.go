package db

import (
	"slices"
	"strings"
)

// Partner scope: who may change what.
//
// A key or token can be bound to organisations (Actor.Orgs, APIKey.Orgs,
// as global ids "Association:35"): it speaks for a partner, not for the
// city. Such a scoped caller may
//
//   - update its own organisations;
//   - create initiatives that one of its organisations leads;
//   - update and delete the initiatives one of its organisations leads,
//     the lead staying one of them;
//   - in an initiative led by another, add or remove only its own
//     organisations as partners (or change their roles), nothing else.
//
// It writes nothing else: no areas, indicators, indicator values, new keys,
// new or deleted organisations, other organisations, other leads'
// initiatives. What it may do to its own organisations' keys is key.go's
// rule. A caller without organisations (an unscoped editor, an admin, the
// CLI) keeps the rights of its role.
//
// The rule lives here and both backends call it inside each write, the
// parts that depend on a record on the record as the write has locked it
// (an initiative's current lead), so every path to the store, GraphQL or
// any other, goes through it. Refusals are FORBIDDEN and name the rule.
//
// Where it sits in the order of checks above Writer in store.go:
//
//   - what needs no record (a kind of write no partner makes, an
//     organisation outside the scope, a new initiative's lead) comes
//     first, before the input is checked: step 0;
//   - for an initiative's update or delete, the stored initiative decides,
//     after it is locked and before NOT_FOUND and CONFLICT: a scoped
//     caller is told FORBIDDEN for an initiative that does not exist just
//     as for one its organisations do not lead, so a refusal never hinges
//     on whether a record exists (CheckInitiativeTarget); what the patch
//     leaves is checked after it is applied (CheckInitiativeChange).

// Scoped says whether a is bound to organisations.
func (a Actor) Scoped() bool { return len(a.Orgs) > 0 }

// speaksFor says whether one of a's organisations has the id.
func (a Actor) speaksFor(orgID int64) bool {
	for _, g := range a.Orgs {
		if _, id, err := ParseGlobalID(g); err == nil && id == orgID {
			return true
		}
	}
	return false
}

// scopeName names a's organisations in a refusal.
func (a Actor) scopeName() string { return strings.Join(a.Orgs, ", ") }

// doesNotLead is the refusal about an initiative none of a's organisations
// leads.
func (a Actor) doesNotLead(id int64, more string) error {
	verb := "does not lead"
	if len(a.Orgs) > 1 {
		verb = "none leads"
	}
	return Errorf(EFORBIDDEN, "%s %s %s%s", a.scopeName(), verb, GlobalID(TypeInitiative, id), more)
}

// NormalizeOrgs sorts a scope and drops repeats.
func NormalizeOrgs(orgs []string) []string {
	if len(orgs) == 0 {
		return nil
	}
	out := slices.Clone(orgs)
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckOrgs checks a scope on its own: each entry the global id of an
// employer or an association.
func CheckOrgs(orgs []string) error {
	for _, g := range orgs {
		typ, _, err := ParseGlobalID(g)
		if err != nil {
			return err
		}
		if typ != TypeEmployer && typ != TypeAssociation {
			return Errorf(EINVALID, "%q is not an organisation: a scope names employers and associations", g)
		}
	}
	return nil
}

// CheckUnscoped refuses a scoped caller a write no partner makes; what
// names it ("areas", "API keys").
func CheckUnscoped(by Actor, what string) error {
	if by.Scoped() {
		return Errorf(EFORBIDDEN, "a caller bound to %s may not write %s", by.scopeName(), what)
	}
	return nil
}

// CheckOrganizationScope refuses a scoped caller an update of an
// organisation that is not one of its own, whether it exists or not.
func CheckOrganizationScope(by Actor, kind OrgKind, id int64) error {
	if !by.Scoped() {
		return nil
	}
	g := GlobalID(kind.NodeType(), id)
	if !slices.Contains(by.Orgs, g) {
		return Errorf(EFORBIDDEN, "%s is not among the organisations this caller speaks for (%s)", g, by.scopeName())
	}
	return nil
}

// CheckInitiativeCreate refuses a scoped caller a new initiative that none
// of its organisations leads.
func CheckInitiativeCreate(by Actor, in *Initiative) error {
	if !by.Scoped() || in != nil && by.speaksFor(in.LeadID) {
		return nil
	}
	return Errorf(EFORBIDDEN, "a new initiative must be led by one of %s", by.scopeName())
}

// CheckInitiativeTarget decides, on the stored initiative with id (nil
// when there is none), whether a scoped caller may go on with a delete (p
// nil) or with the update p: yes when one of its organisations leads it;
// for an initiative led by another only an update that sets nothing but
// the partners, which CheckInitiativeChange then holds to its own
// partnerships. A missing initiative is refused like one led by another.
func CheckInitiativeTarget(by Actor, id int64, stored *Initiative, p *InitiativePatch) error {
	if !by.Scoped() || stored != nil && by.speaksFor(stored.LeadID) {
		return nil
	}
	if stored == nil || p == nil || !p.onlyPartners() {
		return by.doesNotLead(id, "")
	}
	return nil
}

// onlyPartners says whether p sets the partners and nothing else.
func (p *InitiativePatch) onlyPartners() bool {
	return p.Partners.Given && !p.Title.Given && !p.Description.Given && !p.Status.Given &&
		!p.StartDate.Given && !p.EndDate.Given && !p.GoalArea.Given && !p.FocusGroups.Given &&
		!p.Themes.Given && !p.AreaIDs.Given && !p.Locations.Given && !p.LeadID.Given && !p.Reach.Given
}

// CheckInitiativeChange holds an update by a scoped caller to the rule, on
// the initiative before and after the patch: the lead of an initiative it
// leads stays one of its organisations; in one led by another, only its
// own organisations' partnerships change.
func CheckInitiativeChange(by Actor, before, after *Initiative) error {
	if !by.Scoped() {
		return nil
	}
	if by.speaksFor(before.LeadID) {
		if !by.speaksFor(after.LeadID) {
			return Errorf(EFORBIDDEN, "the lead of %s must stay with one of %s", before.NodeID(), by.scopeName())
		}
		return nil
	}
	others := func(in *Initiative) []Partner {
		return slices.DeleteFunc(slices.Clone(in.Partners), func(p Partner) bool { return by.speaksFor(p.OrganizationID) })
	}
	if !slices.Equal(others(before), others(after)) {
		return by.doesNotLead(before.ID, ": it may add, change or remove only its own organisations as partners")
	}
	return nil
}
