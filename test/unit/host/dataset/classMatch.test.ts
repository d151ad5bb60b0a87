// Labels of the file → the model's classes: by name when both know names (in any order, case and
// separators ignored), else by index; the note says which.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapLabels, matchClasses, modelClassOf, NO_CLASS } from '../../../../src/host/dataset/classMatch';

const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('matchClasses', () => {
  it('matches by name in another order: label value v becomes the model class of the same name', () => {
    const model = ['truck', 'Ship', 'horse', 'frog', 'dog', 'deer', 'cat', 'bird', 'Automobile', 'airplane'];
    const m = matchClasses(CIFAR10, model);
    assert.equal(m.by, 'name');
    assert.ok(m.map);
    for (let v = 0; v < 10; v++) assert.equal(m.map[v], 9 - v, CIFAR10[v]);
    assert.match(m.note, /by name/);
    assert.deepEqual([...mapLabels(Uint8Array.from([0, 3, 9]), m.map)], [9, 6, 0]);
  });

  it('needs no map when the names agree in order', () => {
    const m = matchClasses(CIFAR10, CIFAR10);
    assert.equal(m.by, 'name');
    assert.equal(m.map, undefined);
  });

  it('ignores case, spaces, "-" and "_": "pickup_truck" is "Pickup truck"', () => {
    const m = matchClasses(['pickup_truck', 'maple-tree'], ['Maple Tree', 'Pickup truck']);
    assert.equal(m.by, 'name');
    assert.deepEqual([...m.map!.subarray(0, 2)], [1, 0]);
  });

  it('names the file classes the model does not have; their labels become NO_CLASS', () => {
    const m = matchClasses(['circle', 'square', 'star'], ['circle', 'square', 'triangle', 'cross']);
    assert.equal(m.by, 'name');
    assert.deepEqual([...m.map!.subarray(0, 3)], [0, 1, NO_CLASS]);
    assert.match(m.note, /1 of the file's 3 classes are no class of the model: star/);
  });

  it('falls back to the index when the model only has "0".."9", the file no names, or no name matches', () => {
    const digits = Array.from({ length: 10 }, (_, k) => String(k));
    assert.deepEqual(matchClasses(CIFAR10, digits), { by: 'index', note: "labels matched to the model's classes by index (the model has no class names)" });
    assert.deepEqual(matchClasses(undefined, CIFAR10), { by: 'index', note: "labels matched to the model's classes by index (the file has no class names)" });
    const none = matchClasses(['a', 'b'], ['c', 'd']);
    assert.equal(none.by, 'index');
    assert.equal(none.map, undefined);
    assert.match(none.note, /none of the file's class names/);
  });
});

describe('modelClassOf (the label a panel gets for an explained sample)', () => {
  it('maps by the run\'s class match, none for a class the model lacks, as is without a map', () => {
    const m = matchClasses(['cross', 'triangle', 'square', 'circle', 'star'], ['circle', 'square', 'triangle', 'cross']);
    assert.equal(modelClassOf(1, m.map), 2); // the file's "triangle" is the model's class 2
    assert.equal(modelClassOf(0, m.map), 3);
    assert.equal(modelClassOf(4, m.map), undefined); // "star"
    assert.equal(modelClassOf(4, undefined), 4);
    assert.equal(modelClassOf(undefined, m.map), undefined);
  });
});
