# A Flask app (Debian's python3-flask): a page, a form POST, a file upload.
import hashlib

from flask import Flask, request, url_for, jsonify

app = Flask(__name__)


@app.route('/')
def index():
    return ('<html><body><h1>Flask page</h1><a href="%s">form</a></body></html>'
            % url_for('form'))


@app.route('/form', methods=['GET', 'POST'])
def form():
    if request.method == 'POST':
        return jsonify(name=request.form.get('name'), color=request.form.getlist('color'),
                       script_root=request.script_root, path=request.path)
    return '<form method="post"><input name="name"></form>'


@app.route('/upload', methods=['POST'])
def upload():
    f = request.files['file']
    data = f.read()
    return jsonify(filename=f.filename, size=len(data), md5=hashlib.md5(data).hexdigest(),
                   content_type=f.content_type, note=request.form.get('note'))


@app.route('/missing-page-handled')
def not_here():
    return 'nope', 404


application = app
