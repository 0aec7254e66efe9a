/* Dependent picklists of the tracker's intake form (seed 003; issue 13, point 10).
 *
 * Progressive enhancement: the server already offers only the values of the taxonomy
 * combinations the user's role may apply to the case type, and refuses any other
 * combination posted. This script narrows each lower level (Category → Sub-Category →
 * Disposition → Child Disposition) to the values that fit the levels chosen above it, as
 * Salesforce's dependent picklists do, so that the CSR never picks a combination the server
 * will refuse. The combinations come from <script type="application/json"
 * id="taxonomy-combinations"> (crm_tracker/forms.py CaseIntakeForm.taxonomy_choices): data,
 * not code, so the Content Security Policy needs no inline script.
 */
(function () {
  "use strict";
  var source = document.getElementById("taxonomy-combinations");
  if (!source) {
    return;
  }
  var taxonomy = JSON.parse(source.textContent);
  var selects = taxonomy.levels.map(function (level) {
    return document.getElementById("id_" + level);
  });
  if (selects.some(function (select) { return !select; })) {
    return;
  }
  // Every option the server rendered, so that a value hidden by one choice can come back.
  var rendered = selects.map(function (select) {
    return Array.from(select.options, function (option) {
      return {value: option.value, text: option.text};
    });
  });

  function allowedAt(depth) {
    // The values of level *depth* in the combinations that match every choice above it.
    var values = new Set();
    taxonomy.combinations.forEach(function (row) {
      for (var above = 0; above < depth; above += 1) {
        var chosen = selects[above].value;
        if (chosen && row[above] !== chosen) {
          return;
        }
      }
      values.add(row[depth]);
    });
    return values;
  }

  function narrow(depth) {
    var select = selects[depth];
    var allowed = allowedAt(depth);
    var current = select.value;
    select.replaceChildren.apply(select, rendered[depth].filter(function (option) {
      return option.value === "" || allowed.has(option.value);
    }).map(function (option) {
      return new Option(option.text, option.value);
    }));
    if (allowed.has(current)) {
      select.value = current;
    } else if (allowed.size === 1) {
      select.value = allowed.values().next().value;  // the only value left: chosen for the CSR
    } else {
      select.value = "";
    }
  }

  function narrowBelow(depth) {
    for (var below = depth + 1; below < selects.length; below += 1) {
      narrow(below);
    }
  }

  selects.forEach(function (select, depth) {
    select.addEventListener("change", function () { narrowBelow(depth); });
  });
  narrowBelow(0);
}());
